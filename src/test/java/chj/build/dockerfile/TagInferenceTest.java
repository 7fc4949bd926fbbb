package chj.build.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TagInferenceTest {

    @ParameterizedTest(name = "-f {0} in {1} -> {2}")
    @CsvSource(nullValues = "NULL", value = {
        "NULL, /home/me/MyProject, myproject",
        "NULL, /, root",
        "NULL, /srv/../, root",
        "Dockerfile.centos8, ., centos8",
        "dir/Dockerfile.Foo.Bar, /x, foo.bar",
        "openmpi.dockerfile, /x, openmpi",
        "path/to/lammps.mpi.df, /x, lammps.mpi",
        "Build_This.DF, /ctx/Name, name",
        "Dockerfile, /work/hello world!, helloworld",
        "-, /work/From-Stdin, from-stdin",
        "Dockerfile., /x, NULL",
        "NULL, /work/!!!, NULL",
    })
    void infers(String file, String context, String expected) {
        assertThat(TagInference.infer(file, context)).isEqualTo(Optional.ofNullable(expected));
    }
}
