package chj.args;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArgParserTest {

    /** What a parse did, in order: "v", "t=X", "force=null", operands at the end. */
    private final List<String> seen = new ArrayList<>();

    private ArgSpec sub() {
        return new ArgSpec("tool sub", "A subcommand.")
                .flag("-n, --dry-run", "dry run", () -> seen.add("n"))
                .value("-t, --tag", "TAG", "tag", v -> seen.add("t=" + v))
                .optionalValue("--force", "MODE", "mode", s -> s.equals("none") || s.equals("seccomp"), v -> seen.add("force=" + v))
                .value("--count", "N", "count", v -> seen.add("count=" + ArgSpec.integer("--count", v, 1)))
                .operand("SRC", "source", v -> seen.add("SRC=" + v))
                .optionalOperand("DST", "destination", v -> seen.add("DST=" + v));
    }

    private ArgSpec global() {
        return new ArgSpec("tool", "A tool.")
                .flag("-v, --verbose", "more", () -> seen.add("v"))
                .value("-s, --storage", "DIR", "where", v -> seen.add("s=" + v));
    }

    private List<String> parse(String... args) throws ArgException {
        ArgSpec sub = sub();
        List<String> operands = new ArrayList<>();
        ArgParser.parse(args, 0, List.of(sub, global()), operands, false);
        sub.bindOperands(operands);
        return seen;
    }

    @Test
    void shortOptionsClusterAndTakeAttachedOrSeparateValues() throws ArgException {
        assertThat(parse("-vvn", "-tX", "-vt", "Y", "a")).containsExactly("v", "v", "n", "t=X", "v", "t=Y", "SRC=a");
    }

    @Test
    void longOptionsTakeValuesWithEqualsOrSeparately() throws ArgException {
        assertThat(parse("--tag=a=b", "--storage", "/d", "--tag", "-x", "src", "dst"))
                .containsExactly("t=a=b", "s=/d", "t=-x", "SRC=src", "DST=dst");
    }

    @Test
    void optionsMayFollowOperandsAndDoubleDashEndsThem() throws ArgException {
        assertThat(parse("src", "-v", "--", "-n")).containsExactly("v", "SRC=src", "DST=-n");
        seen.clear();
        assertThat(parse("-", "-v")).as("a lone dash is an operand (stdin)").containsExactly("v", "SRC=-");
    }

    @Test
    void anOptionalValueIsTheNextArgumentOnlyWhereItLooksLikeOne() throws ArgException {
        assertThat(parse("--force", ".")).containsExactly("force=null", "SRC=.");
        seen.clear();
        assertThat(parse("--force", "none", ".")).containsExactly("force=none", "SRC=.");
        seen.clear();
        assertThat(parse("--force=anything", ".")).containsExactly("force=anything", "SRC=.");
    }

    @Test
    void badCommandLinesAreOneLineErrorsNamingTheCulprit() {
        assertThatThrownBy(() -> parse("--frobnicate", "x")).isInstanceOf(ArgException.class).hasMessage("unknown option: --frobnicate");
        assertThatThrownBy(() -> parse("-vx", "a")).hasMessage("unknown option: -x (in -vx)");
        assertThatThrownBy(() -> parse("a", "--tag")).hasMessage("option --tag needs a value: TAG");
        assertThatThrownBy(() -> parse("a", "-t")).hasMessage("option -t needs a value: TAG");
        assertThatThrownBy(() -> parse("--dry-run=yes", "a")).hasMessage("option --dry-run takes no value");
        assertThatThrownBy(() -> parse("-v")).hasMessage("missing SRC");
        assertThatThrownBy(() -> parse("a", "b", "c")).hasMessage("unexpected argument: c");
        assertThatThrownBy(() -> parse("--count", "0", "a")).hasMessage("--count: expected a whole number >= 1, not '0'");
        assertThatThrownBy(() -> parse("--count=x", "a")).hasMessageContaining("not 'x'");
    }

    @Test
    void aSubcommandsOwnOptionHidesAGlobalOneOfTheSameName() throws ArgException {
        ArgSpec sub = new ArgSpec("tool sub", "").value("-s, --source", "X", "", v -> seen.add("source=" + v));
        ArgParser.parse(new String[] {"-s", "a", "-v"}, 0, List.of(sub, global()), new ArrayList<>(), false);
        assertThat(seen).containsExactly("source=a", "v");
    }

    @Test
    void stopsAtTheFirstOperandForASubcommandsName() throws ArgException {
        List<String> operands = new ArrayList<>();
        String[] args = {"-v", "-s", "/d", "sub", "-v"};
        assertThat(ArgParser.parse(args, 0, List.of(global()), operands, true)).isEqualTo(3);
        assertThat(seen).containsExactly("v", "s=/d");
        assertThat(ArgParser.parse(new String[] {"-v"}, 0, List.of(global()), operands, true)).isEqualTo(1);
        assertThat(ArgParser.parse(new String[] {"--", "sub"}, 0, List.of(global()), operands, true)).isEqualTo(1);
        assertThat(operands).isEmpty();
    }

    @Test
    void repeatingOperandsTakeTheRest() throws ArgException {
        List<String> got = new ArrayList<>();
        ArgSpec spec = new ArgSpec("tool del", "").operands("NAME", "", got::add);
        assertThatThrownBy(() -> spec.bindOperands(List.of())).hasMessage("missing NAME");
        spec.bindOperands(List.of("a", "b", "c"));
        assertThat(got).containsExactly("a", "b", "c");
        assertThatThrownBy(() -> spec.operand("X", "", v -> { })).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void helpListsUsageOperandsOptionsAndInheritedOptions() {
        String help = sub().help("Global options", global());
        assertThat(help).startsWith("Usage: tool sub [OPTION...] SRC [DST]\n\nA subcommand.\n")
                .contains("\n  SRC  ")
                .contains("\n  -t, --tag=TAG ")
                .contains("\n      --force[=MODE] ")
                .contains("\nGlobal options:\n  -v, --verbose ");
        assertThat(help.lines().filter(l -> l.contains("--count=N")).findFirst().orElseThrow())
                .as("help text starts in one column").matches(" {6}--count=N {15}count");
    }

    @Test
    void anOptionCantBeDeclaredTwice() {
        assertThatThrownBy(() -> new ArgSpec("x", "").flag("-v", "", () -> { }).flag("-v, --verbose", "", () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-v");
    }
}
