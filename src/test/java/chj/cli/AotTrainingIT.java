package chj.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AOT training must really pull, build and push: a command that fails there trains nothing,
 * and the cache made from it would leave those paths cold without anyone noticing.
 */
class AotTrainingIT {

    @TempDir
    Path tmp;

    @Test
    void everyTrainingCommandSucceeds() throws Exception {
        List<String> failed = AotTraining.trainRegistryWork(tmp);
        assertThat(failed).isEmpty();
    }
}
