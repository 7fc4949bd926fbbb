package chj.layer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MemberPathTest {

    @Test
    void normalizes() {
        assertThat(MemberPath.normalize("usr/bin/ls")).isEqualTo("usr/bin/ls");
        assertThat(MemberPath.normalize("./usr/bin/")).isEqualTo("usr/bin");
        assertThat(MemberPath.normalize("/etc/passwd")).isEqualTo("etc/passwd");
        assertThat(MemberPath.normalize("//a//b/./c/")).isEqualTo("a/b/c");
        assertThat(MemberPath.normalize("a/../b")).isEqualTo("b");
        assertThat(MemberPath.normalize("a/b/../../c")).isEqualTo("c");
        assertThat(MemberPath.normalize("...")).isEqualTo("...");
        assertThat(MemberPath.normalize("..a/b..")).isEqualTo("..a/b..");
        assertThat(MemberPath.normalize(".wh..wh..opq")).isEqualTo(".wh..wh..opq");
    }

    @Test
    void rootItself() {
        for (String root : new String[] {".", "./", "/", "//", "a/..", "./a/../"}) {
            assertThat(MemberPath.normalize(root)).as(root).isEmpty();
        }
    }

    @Test
    void escapesAreNull() {
        for (String bad : new String[] {"..", "../x", "/../x", "a/../../x", "./..", "a/b/../../../c", "x/../.."}) {
            assertThat(MemberPath.normalize(bad)).as(bad).isNull();
        }
    }

    @Test
    void parentBaseJoin() {
        assertThat(MemberPath.parent("a/b/c")).isEqualTo("a/b");
        assertThat(MemberPath.parent("a")).isEmpty();
        assertThat(MemberPath.baseName("a/b/c")).isEqualTo("c");
        assertThat(MemberPath.baseName("a")).isEqualTo("a");
        assertThat(MemberPath.join("", "a")).isEqualTo("a");
        assertThat(MemberPath.join("a", "b")).isEqualTo("a/b");
    }

    @Test
    void within() {
        assertThat(MemberPath.isWithin("a/b", "a")).isTrue();
        assertThat(MemberPath.isWithin("a", "a")).isTrue();
        assertThat(MemberPath.isWithin("ab", "a")).isFalse();
        assertThat(MemberPath.isWithin("x", "")).isTrue();
    }

    @Test
    void aufsMetadata() {
        assertThat(MemberPath.aufsMetadataDir(".wh..wh.plnk/123.4")).isEqualTo(".wh..wh.plnk");
        assertThat(MemberPath.aufsMetadataDir("a/.wh..wh.plnk/x/y")).isEqualTo("a/.wh..wh.plnk");
        assertThat(MemberPath.aufsMetadataDir(".wh..wh.plnk")).isNull();
        assertThat(MemberPath.aufsMetadataDir("usr/bin/ls")).isNull();
        assertThat(MemberPath.aufsMetadataDir("x.wh..wh.y/z")).isNull();
    }
}
