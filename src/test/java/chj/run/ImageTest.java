package chj.run;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ImageTest {
    @Test
    void storeNamesFollowCharliecloud() {
        assertThat(Image.storeName("alpine:3.17")).isEqualTo("alpine+3.17");
        assertThat(Image.storeName("quay.io/foo/bar:1.0")).isEqualTo("quay.io%foo%bar+1.0");
        assertThat(Image.storeName("localhost:5000/x")).isEqualTo("localhost+5000%x");
    }
}
