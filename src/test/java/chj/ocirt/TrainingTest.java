package chj.ocirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TrainingTest {

    /** The AOT training run does a whole create (so a broken create fails it) and leaves nothing behind. */
    @Test
    void trainsOnARealCreateAndCleansUp() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = scratchDirs(tmp);
        Training.main(new String[0]);
        assertThat(scratchDirs(tmp)).isEqualTo(before);
    }

    private static long scratchDirs(Path tmp) throws Exception {
        try (var s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("chj-oci-training-")).count();
        }
    }
}
