package chj.build.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The small helpers: Go durations, Go path cleaning, mount CSV and sizes, Go-style quoting. */
class SmallPartsTest {

    @Test
    void goDurations() {
        assertThat(GoDuration.parse("1h2m3.5s")).isEqualTo(Duration.ofSeconds(3723, 500_000_000));
        assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(GoDuration.parse("3us")).isEqualTo(Duration.ofNanos(3000));
        assertThat(GoDuration.parse("3µs")).isEqualTo(Duration.ofNanos(3000));
        assertThat(GoDuration.parse(".5s")).isEqualTo(Duration.ofMillis(500));
        assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(GoDuration.parse("-2s")).isEqualTo(Duration.ofSeconds(-2));
        assertThatThrownBy(() -> GoDuration.parse("")).hasMessage("time: invalid duration \"\"");
        assertThatThrownBy(() -> GoDuration.parse("s")).hasMessage("time: invalid duration \"s\"");
        assertThatThrownBy(() -> GoDuration.parse("1.2.3s")).hasMessage("time: invalid duration \"1.2.3s\"");
        assertThat(GoDuration.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(GoDuration.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(GoDuration.format(Duration.ofHours(2))).isEqualTo("2h0m0s");
        assertThat(GoDuration.format(Duration.ofMillis(5))).isEqualTo("5ms");
    }

    @Test
    void pathCleaning() {
        assertThat(PathNames.clean("")).isEqualTo(".");
        assertThat(PathNames.clean("/../a//b/./c/..")).isEqualTo("/a/b");
        assertThat(PathNames.clean("a/../../b")).isEqualTo("../b");
        assertThat(PathNames.clean("/")).isEqualTo("/");
        assertThat(PathNames.resolve(null, "x")).isEqualTo("/x");
        assertThat(PathNames.resolve("/w", "/abs/./y/")).isEqualTo("/abs/y");
        assertThat(PathNames.destination("/w", "sub/")).isEqualTo("/w/sub/");
        assertThat(PathNames.destination("/w", "sub/.")).isEqualTo("/w/sub/");
        assertThat(PathNames.destination("/w", "file")).isEqualTo("/w/file");
        assertThat(PathNames.destination("/", ".")).isEqualTo("/");
        assertThat(PathNames.destination("/w", "")).isEqualTo("/w/");
    }

    @Test
    void mountCsvAndSizes() throws Exception {
        assertThat(RunMount.csvFields("type=bind,\"source=a,b\",target=/x")).containsExactly("type=bind", "source=a,b", "target=/x");
        assertThat(RunMount.csvFields("\"id=say \"\"hi\"\"\"")).containsExactly("id=say \"hi\"");
        assertThatThrownBy(() -> RunMount.csvFields("\"open")).isInstanceOf(ParseException.class);
        assertThat(RunMount.parseSize("1024")).isEqualTo(1024);
        assertThat(RunMount.parseSize("64m")).isEqualTo(64L << 20);
        assertThat(RunMount.parseSize("1GiB")).isEqualTo(1L << 30);
        RunMount tmp = RunMount.parse("type=tmpfs,target=/t,size=1k", v -> v);
        assertThat(tmp.sizeBytes()).isEqualTo(1024);
        assertThat(tmp.readOnly()).isFalse();
        RunMount secret = RunMount.parse("type=secret,id=tok,required", v -> v);
        assertThat(secret.required()).isTrue();
        assertThat(secret.readOnly()).isTrue();
        RunMount cache = RunMount.parse("type=cache,target=/c,sharing=locked,mode=0700,uid=1000,ro", v -> v);
        assertThat(cache.mode()).isEqualTo(0700);
        assertThat(cache.uid()).isEqualTo(1000);
        assertThat(cache.readOnly()).isTrue();
        assertThatThrownBy(() -> RunMount.parse("type=bind,target=/x,mode=0700", v -> v))
                .hasMessage("mode not allowed for \"bind\" type mounts");
        assertThatThrownBy(() -> RunMount.parse("type=bind,target=/x,sharing=shared", v -> v))
                .hasMessage("invalid cache sharing set for bind mount");
        assertThatThrownBy(() -> RunMount.parse("type=secret,from=x,id=y", v -> v))
                .hasMessage("secret mount should not have a from");
        assertThatThrownBy(() -> RunMount.parse("target=/x,ro=maybe", v -> v)).hasMessage("invalid value for ro: maybe");
        assertThatThrownBy(() -> RunMount.parse("target=/x,bogus", v -> v))
                .hasMessage("invalid field 'bogus' must be a key=value pair");
    }

    @Test
    void goQuoting() {
        assertThat(Words.quote("a\"b\\c\n\u0001")).isEqualTo("\"a\\\"b\\\\c\\n\\x01\"");
    }
}
