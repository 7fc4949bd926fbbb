package chj.build.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chj.build.dockerfile.Instruction.Add;
import chj.build.dockerfile.Instruction.Copy;
import chj.build.dockerfile.Instruction.From;
import chj.build.dockerfile.Instruction.Run;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DockerfileParserTest {

    static Dockerfile parse(String text) throws ParseException {
        return Dockerfile.parse(text, "Dockerfile");
    }

    /** The instructions of the only stage of "FROM scratch\n" + body. */
    static List<Instruction> body(String body) throws ParseException {
        return parse("FROM scratch\n" + body).stages().getFirst().instructions();
    }

    static Instruction one(String body) throws ParseException {
        List<Instruction> all = body(body);
        assertThat(all).hasSize(1);
        return all.getFirst();
    }

    static ParseException failure(ThrowingCallable c) {
        try {
            c.call();
        } catch (ParseException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected ParseException, got " + t, t);
        }
        throw new AssertionError("expected ParseException, nothing thrown");
    }

    static ParseException failure(String text) {
        return failure(() -> parse(text));
    }

    @Nested
    class Directives {

        @Test
        void escapeBacktickChangesContinuationAndEscapes() throws Exception {
            Dockerfile df = parse("# escape=`\nFROM scratch\nRUN echo a `\n  b\nENV A=x`\"y\n");
            assertThat(df.escape()).isEqualTo('`');
            assertThat(df.directives()).containsExactly(new Directive("escape", "`", new SourceLocation("Dockerfile", 1, 3)));
            List<Instruction> is = df.stages().getFirst().instructions();
            assertThat(((Run) is.get(0)).command()).isEqualTo(new CommandLine.Shell("echo a   b"));
            assertThat(((Instruction.Env) is.get(1)).pairs()).containsExactly(new KeyValue("A", "x`\"y", false));
        }

        @Test
        void backslashIsLiteralWithBacktickEscape() throws Exception {
            Dockerfile df = parse("# escape=`\nFROM scratch\nRUN dir c:\\\nRUN x\n");
            assertThat(df.stages().getFirst().instructions()).hasSize(2);
        }

        @Test
        void syntaxAndCheckAreRecordedAndCaseInsensitive() throws Exception {
            Dockerfile df = parse("#  SYNTAX = docker/dockerfile:1\n# check=skip=all\nFROM scratch\n");
            assertThat(df.directives()).extracting(Directive::name, Directive::value)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("syntax", "docker/dockerfile:1"),
                            org.assertj.core.groups.Tuple.tuple("check", "skip=all"));
        }

        @Test
        void directiveAfterACommentIsAComment() throws Exception {
            Dockerfile df = parse("# hello\n# escape=`\nFROM scratch\nRUN a \\\n b\n");
            assertThat(df.directives()).isEmpty();
            assertThat(df.escape()).isEqualTo('\\');
        }

        @Test
        void directiveAfterABlankLineOrInstructionIsAComment() throws Exception {
            assertThat(parse("\n# escape=`\nFROM scratch\n").directives()).isEmpty();
            assertThat(parse("FROM scratch\n# escape=`\n").directives()).isEmpty();
        }

        @Test
        void unknownDirectiveEndsTheDirectives() throws Exception {
            assertThat(parse("# foo=bar\n# escape=`\nFROM scratch\n").escape()).isEqualTo('\\');
        }

        @Test
        void repeatedDirectiveIsAnError() {
            ParseException e = failure("# escape=`\n# escape=\\\nFROM scratch\n");
            assertThat(e.getMessage()).isEqualTo("Dockerfile:2:3: only one escape parser directive can be used");
        }

        @Test
        void invalidEscapeToken() {
            assertThat(failure("# escape=x\nFROM scratch\n").detail())
                    .isEqualTo("invalid escape token 'x' does not match ` or \\");
        }
    }

    @Nested
    class Lines {

        @Test
        void commentsBlankLinesAndIndentationAreIgnored() throws Exception {
            List<Instruction> is = body("\n# comment\n   # indented comment\n\t RUN  true  \n\n");
            assertThat(is).hasSize(1);
            assertThat(is.getFirst().location()).isEqualTo(new SourceLocation("Dockerfile", 5, 3));
            assertThat(((Run) is.getFirst()).command()).isEqualTo(new CommandLine.Shell("true"));
        }

        @Test
        void byteOrderMarkIsDropped() throws Exception {
            assertThat(parse("\uFEFFFROM scratch\n").stages()).hasSize(1);
        }

        @Test
        void crlfLineEnds() throws Exception {
            Run r = (Run) parse("FROM scratch\r\nRUN a \\\r\n  b\r\n").stages().getFirst().instructions().getFirst();
            assertThat(r.command()).isEqualTo(new CommandLine.Shell("a   b"));
        }

        @Test
        void instructionNamesAreCaseInsensitive() throws Exception {
            assertThat(parse("from scratch\nrUn true\n").stages().getFirst().instructions().getFirst())
                    .isInstanceOf(Run.class);
        }

        @Test
        void continuationJoinsLinesKeepingIndentation() throws Exception {
            Run r = (Run) one("RUN apt-get update && \\\n    apt-get install -y \\\n      curl\n");
            assertThat(r.command()).isEqualTo(new CommandLine.Shell("apt-get update &&     apt-get install -y       curl"));
            assertThat(r.source().text()).isEqualTo("RUN apt-get update &&     apt-get install -y       curl");
            assertThat(r.location().line()).isEqualTo(2);
        }

        @Test
        void blanksAfterTheContinuationCharacterAreAllowed() throws Exception {
            assertThat(((Run) one("RUN a \\ \t\n b\n")).command()).isEqualTo(new CommandLine.Shell("a  b"));
        }

        @Test
        void commentLinesInsideAContinuationAreDropped() throws Exception {
            Run r = (Run) one("RUN a \\\n# not part of it\n  # nor this\n b\n");
            assertThat(r.command()).isEqualTo(new CommandLine.Shell("a  b"));
        }

        @Test
        void emptyContinuationLinesAreSkippedWithAWarning() throws Exception {
            Dockerfile df = parse("FROM scratch\nRUN a \\\n\n   \n b\nRUN c\n");
            assertThat(df.stages().getFirst().instructions()).hasSize(2);
            assertThat(((Run) df.stages().getFirst().instructions().getFirst()).command())
                    .isEqualTo(new CommandLine.Shell("a  b"));
            assertThat(df.warnings()).hasSize(1);
            assertThat(df.warnings().getFirst().location().line()).isEqualTo(3);
        }

        @Test
        void escapedEscapeAtEndOfLineDoesNotContinue() throws Exception {
            List<Instruction> is = body("RUN echo a\\\\\nRUN b\n");
            assertThat(is).hasSize(2);
            assertThat(((Run) is.getFirst()).command()).isEqualTo(new CommandLine.Shell("echo a\\\\"));
        }

        @Test
        void continuationAtEndOfFile() throws Exception {
            assertThat(((Run) one("RUN a \\")).command()).isEqualTo(new CommandLine.Shell("a"));
        }

        @Test
        void loneContinuationLineStartsTheInstruction() throws Exception {
            assertThat(((Run) one("\\\nRUN a\n")).command()).isEqualTo(new CommandLine.Shell("a"));
        }

        @Test
        void hashInsideALineIsNotAComment() throws Exception {
            assertThat(((Run) one("RUN echo a # b\n")).command()).isEqualTo(new CommandLine.Shell("echo a # b"));
        }
    }

    @Nested
    class Errors {

        @Test
        void unknownInstructionHasLocationAndCaret() {
            ParseException e = failure("FROM scratch\n\n  FORM x\n");
            assertThat(e.getMessage()).isEqualTo("Dockerfile:3:3: unknown instruction: FORM");
            assertThat(e.location()).isEqualTo(new SourceLocation("Dockerfile", 3, 3));
            assertThat(e.caret()).isEqualTo("  FORM x\n  ^");
            assertThat(e.render()).isEqualTo("Dockerfile:3:3: unknown instruction: FORM\n  FORM x\n  ^");
        }

        @Test
        void caretKeepsTabsSoItLinesUp() {
            ParseException e = failure("FROM scratch\n\tCOPY --bogus=1 a b\n");
            assertThat(e.getMessage()).isEqualTo("Dockerfile:2:7: unknown flag: --bogus");
            assertThat(e.caret()).isEqualTo("\tCOPY --bogus=1 a b\n\t     ^");
        }

        @Test
        void flagErrorOnAContinuationLinePointsThere() {
            ParseException e = failure("FROM scratch\nCOPY --chown=1 \\\n   --nope a b\n");
            assertThat(e.location()).isEqualTo(new SourceLocation("Dockerfile", 3, 4));
            assertThat(e.sourceLine()).isEqualTo("   --nope a b");
        }

        @Test
        void errorWithoutLocationHasNoCaret() {
            ParseException e = new ParseException("target stage \"x\" could not be found");
            assertThat(e.getMessage()).isEqualTo("target stage \"x\" could not be found");
            assertThat(e.caret()).isEmpty();
            assertThat(e.render()).isEqualTo(e.getMessage());
        }

        @Test
        void emptyFile() {
            assertThat(failure("").getMessage()).isEqualTo("Dockerfile:1:1: file with no instructions");
            assertThat(failure("# just a comment\n\n").detail()).isEqualTo("file with no instructions");
        }

        @Test
        void onlyArgsIsNotABuild() {
            assertThat(failure("ARG A=1\n").detail()).startsWith("no FROM instruction");
        }

        @Test
        void instructionBeforeFromIsAnError() {
            ParseException e = failure("ARG V=1\nRUN true\nFROM scratch\n");
            assertThat(e.getMessage()).isEqualTo("Dockerfile:2:1: RUN before the first FROM: only ARG may come before FROM");
        }

        @Test
        void fileNameIsTheOneGiven() {
            ParseException e = failure(() -> Dockerfile.parse("FROM a b\n", "path/to/my.df"));
            assertThat(e.getMessage()).isEqualTo("path/to/my.df:1:1: FROM requires either one or three arguments");
        }
    }

    @Nested
    class Stages {

        @Test
        void globalArgsAndStages() throws Exception {
            Dockerfile df = parse("ARG BASE=alpine\nARG V\nFROM $BASE AS Build\nRUN make\nfrom scratch\nCOPY --from=build /a /a\n");
            assertThat(df.globalArgs()).hasSize(2);
            assertThat(df.globalArgs().getFirst().definitions()).containsExactly(new ArgDefinition("BASE", "alpine"));
            assertThat(df.globalArgs().get(1).definitions()).containsExactly(new ArgDefinition("V", null));
            assertThat(df.stages()).hasSize(2);
            Stage first = df.stages().getFirst();
            assertThat(first.index()).isZero();
            assertThat(first.name()).isEqualTo("build");
            assertThat(first.from().image()).isEqualTo("$BASE");
            assertThat(first.instructions()).hasSize(1);
            assertThat(df.stages().get(1).name()).isNull();
            assertThat(df.stage("BUILD")).isSameAs(first);
            assertThat(df.stage("nope")).isNull();
        }

        @Test
        void fromWithPlatform() throws Exception {
            From f = parse("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n").stages().getFirst().from();
            assertThat(f).extracting(From::image, From::name, From::platform)
                    .containsExactly("golang:1.22", "build", "$BUILDPLATFORM");
        }

        @Test
        void fromArgumentCount() {
            assertThat(failure("FROM\n").detail()).isEqualTo("FROM requires either one or three arguments");
            assertThat(failure("FROM a AS\n").detail()).isEqualTo("FROM requires either one or three arguments");
            assertThat(failure("FROM a FOR b\n").detail()).isEqualTo("FROM requires either one or three arguments");
        }

        @Test
        void stageNamesMayHoldDigitsDashesUnderscoresDots() throws Exception {
            assertThat(parse("FROM a AS My-Stage_1.x\n").stages().getFirst().name()).isEqualTo("my-stage_1.x");
        }

        @Test
        void invalidStageName() {
            ParseException e = failure("FROM a AS 1st\n");
            assertThat(e.getMessage()).isEqualTo(
                    "Dockerfile:1:11: invalid name for build stage: \"1st\", name can't start with a number or contain symbols");
            assertThat(failure("FROM a AS b$c\n").detail()).startsWith("invalid name for build stage");
        }

        @Test
        void duplicateAndReservedStageNames() {
            ParseException e = failure("FROM a AS x\nFROM b as X\n");
            assertThat(e.getMessage()).isEqualTo("Dockerfile:2:1: duplicate stage name \"x\" (first used at Dockerfile:1:1)");
            assertThat(failure("FROM a AS scratch\n").detail()).contains("reserved");
        }

        @Test
        void unknownFromFlag() {
            assertThat(failure("FROM --plat=x a\n").getMessage()).isEqualTo("Dockerfile:1:6: unknown flag: --plat");
        }
    }

    @Nested
    class RunCmdEntrypoint {

        @Test
        void shellAndExecForms() throws Exception {
            List<Instruction> is = body("RUN echo \"$HOME\"\nRUN [\"echo\", \"$HOME\"]\nCMD [ \"a\" ]\nENTRYPOINT exec top -b\n");
            assertThat(((Run) is.get(0)).command()).isEqualTo(new CommandLine.Shell("echo \"$HOME\""));
            assertThat(((Run) is.get(1)).command()).isEqualTo(new CommandLine.Exec(List.of("echo", "$HOME")));
            assertThat(((Instruction.Cmd) is.get(2)).command()).isEqualTo(new CommandLine.Exec(List.of("a")));
            assertThat(((Instruction.Entrypoint) is.get(3)).command()).isEqualTo(new CommandLine.Shell("exec top -b"));
        }

        @Test
        void jsonEscapesAreJsons() throws Exception {
            assertThat(((Run) one("RUN [\"printf\", \"a\\\\tb\\n\", \"\\u00e9\"]\n")).command())
                    .isEqualTo(new CommandLine.Exec(List.of("printf", "a\\tb\n", "é")));
        }

        @Test
        void notQuiteJsonIsShellForm() throws Exception {
            assertThat(((Run) one("RUN [ -f /etc/passwd ] && echo yes\n")).command())
                    .isEqualTo(new CommandLine.Shell("[ -f /etc/passwd ] && echo yes"));
            assertThat(((Run) one("RUN ['single', 'quotes']\n")).command()).isInstanceOf(CommandLine.Shell.class);
            assertThat(((Run) one("RUN [\"a\"] trailing\n")).command()).isInstanceOf(CommandLine.Shell.class);
        }

        @Test
        void jsonArrayOfNonStringsIsAnError() {
            assertThat(failure("FROM scratch\nCMD [\"a\", 1]\n").getMessage()).isEqualTo(
                    "Dockerfile:2:5: when using JSON array syntax, arrays must be comprised of strings only");
        }

        @Test
        void emptyExecFormIsAllowed() throws Exception {
            assertThat(((Instruction.Entrypoint) one("ENTRYPOINT []\n")).command()).isEqualTo(new CommandLine.Exec(List.of()));
        }

        @Test
        void commandIsRequired() {
            assertThat(failure("FROM scratch\nRUN\n").detail()).isEqualTo("RUN requires at least one argument");
            assertThat(failure("FROM scratch\nCMD   \n").detail()).isEqualTo("CMD requires at least one argument");
        }

        @Test
        void runFlags() throws Exception {
            Run r = (Run) one("RUN --mount=type=cache,target=/root/.cache --mount=type=bind,from=build,source=/out,target=/in "
                    + "--network=none --security=sandbox make\n");
            assertThat(r.mounts()).containsExactly("type=cache,target=/root/.cache", "type=bind,from=build,source=/out,target=/in");
            assertThat(r.network()).isEqualTo("none");
            assertThat(r.security()).isEqualTo("sandbox");
            assertThat(r.command()).isEqualTo(new CommandLine.Shell("make"));
        }

        @Test
        void flagsOnlyAtTheStart() throws Exception {
            assertThat(((Run) one("RUN echo --mount=x\n")).command()).isEqualTo(new CommandLine.Shell("echo --mount=x"));
            assertThat(((Run) one("RUN -- --mount=x\n")).command()).isEqualTo(new CommandLine.Shell("--mount=x"));
        }

        @Test
        void badRunFlags() {
            assertThat(failure("FROM scratch\nRUN --foo make\n").getMessage()).isEqualTo("Dockerfile:2:5: unknown flag: --foo");
            assertThat(failure("FROM scratch\nRUN --network=none --network=host make\n").getMessage())
                    .isEqualTo("Dockerfile:2:20: duplicate flag specified: --network");
            assertThat(failure("FROM scratch\nRUN --network make\n").detail()).isEqualTo("missing a value on flag: --network");
            assertThat(failure("FROM scratch\nRUN --network=bridge make\n").detail()).startsWith("unsupported network mode \"bridge\"");
            assertThat(failure("FROM scratch\nRUN --mount=type=nfs,target=/x make\n").getMessage())
                    .isEqualTo("Dockerfile:2:5: unsupported mount type \"nfs\"");
            assertThat(failure("FROM scratch\nRUN --mount=target=/x,colour=red make\n").detail())
                    .isEqualTo("unexpected key 'colour' in 'colour=red'");
            assertThat(failure("FROM scratch\nRUN --mount=type=bind,from=$X,target=/x make\n").detail())
                    .isEqualTo("'from' doesn't support variable expansion, define alias stage instead");
        }

        @Test
        void quotedFlagValues() throws Exception {
            Copy c = (Copy) one("COPY --chown=\"app user\":'grp' a b\n");
            assertThat(c.chown()).isEqualTo("app user:grp");
        }
    }

    @Nested
    class Heredocs {

        @Test
        void runHeredoc() throws Exception {
            Dockerfile df = parse("FROM scratch\nRUN <<EOF\necho $HOME\n  indented\nEOF\nRUN after\n");
            List<Instruction> is = df.stages().getFirst().instructions();
            assertThat(is).hasSize(2);
            Run r = (Run) is.getFirst();
            assertThat(r.command()).isEqualTo(new CommandLine.Shell("<<EOF"));
            assertThat(r.heredocs()).containsExactly(new Heredoc("EOF", "echo $HOME\n  indented\n", false, true, 0));
            assertThat(is.get(1).location().line()).isEqualTo(6);
        }

        @Test
        void chompStripsLeadingTabsOfBodyAndTerminator() throws Exception {
            Run r = (Run) one("RUN <<-EOT\n\techo a\n\t\t\techo b\n\tEOT\n");
            Heredoc h = r.heredocs().getFirst();
            assertThat(h.chomp()).isTrue();
            assertThat(h.content()).isEqualTo("\techo a\n\t\t\techo b\n");
            assertThat(h.body()).isEqualTo("echo a\necho b\n");
        }

        @Test
        void tabIndentedTerminatorDoesNotEndAnUnchompedHeredoc() {
            assertThat(failure("FROM scratch\nRUN <<EOT\n\tEOT\n").detail()).startsWith("unterminated heredoc");
        }

        @Test
        void quotedDelimiterDisablesExpansion() throws Exception {
            Run r = (Run) one("RUN <<'EOF' cat <<\"B\"E <<C\na\nEOF\nb\nBE\nc\nC\n");
            assertThat(r.heredocs()).extracting(Heredoc::name, Heredoc::expand, Heredoc::content).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("EOF", false, "a\n"),
                    org.assertj.core.groups.Tuple.tuple("BE", false, "b\n"),
                    org.assertj.core.groups.Tuple.tuple("C", true, "c\n"));
        }

        @Test
        void severalHeredocsAndFileDescriptors() throws Exception {
            Run r = (Run) one("RUN python3 3<<A - <<B\nx\nA\ny\nB\n");
            assertThat(r.command()).isEqualTo(new CommandLine.Shell("python3 3<<A - <<B"));
            assertThat(r.heredocs()).extracting(Heredoc::name, Heredoc::fileDescriptor)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("A", 3), org.assertj.core.groups.Tuple.tuple("B", 0));
        }

        @Test
        void copyHeredocs() throws Exception {
            Copy c = (Copy) one("COPY --chmod=755 <<run.sh a.txt <<\"cfg\" /app/\n#!/bin/sh\necho $X\nrun.sh\nk=v\ncfg\n");
            assertThat(c.sources()).containsExactly("a.txt");
            assertThat(c.inline()).extracting(Heredoc::name, Heredoc::content, Heredoc::expand).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("run.sh", "#!/bin/sh\necho $X\n", true),
                    org.assertj.core.groups.Tuple.tuple("cfg", "k=v\n", false));
            assertThat(c.destination()).isEqualTo("/app/");
            assertThat(c.chmod()).isEqualTo("755");
        }

        @Test
        void heredocAsDestinationIsAnError() {
            assertThat(failure("FROM scratch\nCOPY a <<EOF\nx\nEOF\n").detail())
                    .isEqualTo("COPY cannot accept a heredoc as a destination");
        }

        @Test
        void unterminatedHeredoc() {
            ParseException e = failure("FROM scratch\nRUN <<EOF\necho\n");
            assertThat(e.getMessage()).isEqualTo(
                    "Dockerfile:2:1: unterminated heredoc: no line \"EOF\" before the end of the file");
        }

        @Test
        void noHeredocsInJsonFormOrOtherInstructionsOrQuotes() throws Exception {
            assertThat(body("RUN [\"cat\", \"<<EOF\"]\nENV A=<<EOF\nRUN echo '<<EOF'\nRUN echo \\<<EOF\n")).hasSize(4);
        }

        @Test
        void heredocLinesAreNotCommentsOrContinuations() throws Exception {
            Run r = (Run) one("RUN <<EOF\n# comment \\\nFROM x\nEOF\n");
            assertThat(r.heredocs().getFirst().content()).isEqualTo("# comment \\\nFROM x\n");
        }

        @Test
        void heredocAfterAContinuedLine() throws Exception {
            Run r = (Run) one("RUN --network=none \\\n  cat <<EOF\nhi\nEOF\n");
            assertThat(r.heredocs()).hasSize(1);
            assertThat(r.command()).isEqualTo(new CommandLine.Shell("cat <<EOF"));
        }
    }

    @Nested
    class CopyAdd {

        @Test
        void copyFlagsAndArguments() throws Exception {
            Copy c = (Copy) one("COPY --from=build --chown=1000:1000 --chmod=0644 --link --exclude=*.md --exclude=.git "
                    + "--parents src/*.go go.mod  /app/\n");
            assertThat(c.from()).isEqualTo("build");
            assertThat(c.chown()).isEqualTo("1000:1000");
            assertThat(c.chmod()).isEqualTo("0644");
            assertThat(c.link()).isTrue();
            assertThat(c.parents()).isTrue();
            assertThat(c.excludes()).containsExactly("*.md", ".git");
            assertThat(c.sources()).containsExactly("src/*.go", "go.mod");
            assertThat(c.destination()).isEqualTo("/app/");
        }

        @Test
        void boolFlagValues() throws Exception {
            assertThat(((Copy) one("COPY --link=false a b\n")).link()).isFalse();
            assertThat(((Copy) one("COPY --link=TRUE a b\n")).link()).isTrue();
            assertThat(failure("FROM scratch\nCOPY --link=yes a b\n").detail())
                    .isEqualTo("expecting boolean value for flag --link, not: yes");
            assertThat(failure("FROM scratch\nCOPY --link= a b\n").detail()).isEqualTo("missing a value on flag: --link");
        }

        @Test
        void jsonFormAllowsSpaces() throws Exception {
            Copy c = (Copy) one("COPY [\"my file\", \"other\", \"/dest dir/\"]\n");
            assertThat(c.sources()).containsExactly("my file", "other");
            assertThat(c.destination()).isEqualTo("/dest dir/");
        }

        @Test
        void shellFormDoesNotGroupQuotes() throws Exception {
            Copy c = (Copy) one("COPY \"a b\" /x\n");
            assertThat(c.sources()).containsExactly("\"a", "b\"");
        }

        @Test
        void needsSourceAndDestination() {
            assertThat(failure("FROM scratch\nCOPY onlyone\n").detail()).isEqualTo(
                    "COPY requires at least two arguments, but only one was provided. Destination could not be determined");
            assertThat(failure("FROM scratch\nADD\n").detail()).startsWith("ADD requires at least two arguments");
        }

        @Test
        void addFlags() throws Exception {
            Add a = (Add) one("ADD --checksum=sha256:abc --keep-git-dir --unpack=false --chown=u https://x/y.tar.gz /opt/\n");
            assertThat(a.checksum()).isEqualTo("sha256:abc");
            assertThat(a.keepGitDir()).isTrue();
            assertThat(a.unpack()).isFalse();
            assertThat(a.chown()).isEqualTo("u");
            assertThat(a.sources()).containsExactly("https://x/y.tar.gz");
            Add plain = (Add) one("ADD a.tar /\n");
            assertThat(plain.keepGitDir()).isNull();
            assertThat(plain.unpack()).isNull();
            assertThat(failure("FROM scratch\nADD --from=x a b\n").detail()).isEqualTo("unknown flag: --from");
        }
    }

    @Nested
    class EnvLabelArg {

        @Test
        void keyValuePairs() throws Exception {
            Instruction.Env e = (Instruction.Env) one("ENV A=1 B=\"two words\" C=three\\ words D= E='$x'\n");
            assertThat(e.pairs()).containsExactly(new KeyValue("A", "1", false), new KeyValue("B", "\"two words\"", false),
                    new KeyValue("C", "three\\ words", false), new KeyValue("D", "", false), new KeyValue("E", "'$x'", false));
        }

        @Test
        void legacyForm() throws Exception {
            Instruction.Env e = (Instruction.Env) one("ENV PATH   /usr/local/bin:$PATH and more\n");
            assertThat(e.pairs()).containsExactly(new KeyValue("PATH", "/usr/local/bin:$PATH and more", true));
            assertThat(failure("FROM scratch\nENV ONLY\n").detail()).isEqualTo("ENV must have two arguments");
            assertThat(failure("FROM scratch\nLABEL ONLY\n").detail()).isEqualTo("LABEL must have two arguments");
        }

        @Test
        void missingEqualsIsAnErrorAtTheWord() {
            ParseException e = failure("FROM scratch\nENV A=1 B\n");
            assertThat(e.getMessage()).isEqualTo(
                    "Dockerfile:2:9: Syntax error - can't find = in \"B\". Must be of the form: name=value");
            assertThat(failure("FROM scratch\nLABEL =x\n").detail()).isEqualTo("LABEL names can not be blank");
            assertThat(failure("FROM scratch\nENV\n").detail()).isEqualTo("ENV requires at least one argument");
        }

        @Test
        void labelsWithQuotedKeys() throws Exception {
            Instruction.Label l = (Instruction.Label) one("LABEL \"com.example.vendor\"=\"ACME Inc\" version=1.0 \\\n  description=\"multi \\\n line\"\n");
            assertThat(l.pairs()).containsExactly(new KeyValue("\"com.example.vendor\"", "\"ACME Inc\"", false),
                    new KeyValue("version", "1.0", false), new KeyValue("description", "\"multi  line\"", false));
        }

        @Test
        void args() throws Exception {
            Instruction.Arg a = (Instruction.Arg) one("ARG A B=2 C=\"x y\" D=\n");
            assertThat(a.definitions()).containsExactly(new ArgDefinition("A", null), new ArgDefinition("B", "2"),
                    new ArgDefinition("C", "\"x y\""), new ArgDefinition("D", ""));
            assertThat(failure("FROM scratch\nARG\n").detail()).isEqualTo("ARG requires at least one argument");
            assertThat(failure("FROM scratch\nARG =1\n").detail()).isEqualTo("ARG names can not be blank");
        }

        @Test
        void noFlagsOnEnv() {
            assertThat(failure("FROM scratch\nENV --x=1 A=1\n").detail()).isEqualTo("unknown flag: --x");
        }
    }

    @Nested
    class Others {

        @Test
        void singleArgumentInstructions() throws Exception {
            List<Instruction> is = body("WORKDIR /a b\nUSER app:grp\nSTOPSIGNAL SIGTERM\nMAINTAINER Jane <j@x>\n");
            assertThat(((Instruction.Workdir) is.get(0)).path()).isEqualTo("/a b");
            assertThat(((Instruction.User) is.get(1)).user()).isEqualTo("app:grp");
            assertThat(((Instruction.StopSignal) is.get(2)).signal()).isEqualTo("SIGTERM");
            assertThat(((Instruction.Maintainer) is.get(3)).name()).isEqualTo("Jane <j@x>");
            for (String k : List.of("WORKDIR", "USER", "STOPSIGNAL", "MAINTAINER"))
                assertThat(failure("FROM scratch\n" + k + "\n").detail()).isEqualTo(k + " requires exactly one argument");
        }

        @Test
        void shellMustBeJson() throws Exception {
            assertThat(((Instruction.Shell) one("SHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\n")).argv())
                    .containsExactly("/bin/bash", "-eo", "pipefail", "-c");
            assertThat(failure("FROM scratch\nSHELL /bin/bash -c\n").detail()).isEqualTo("SHELL requires the arguments to be in JSON form");
            assertThat(failure("FROM scratch\nSHELL []\n").detail()).isEqualTo("SHELL requires at least one argument");
        }

        @Test
        void exposeAndVolume() throws Exception {
            List<Instruction> is = body("EXPOSE 80/tcp  $PORT 53/udp\nVOLUME /data /logs\nVOLUME [\"/a b\", \"/c\"]\n");
            assertThat(((Instruction.Expose) is.get(0)).ports()).containsExactly("80/tcp", "$PORT", "53/udp");
            assertThat(((Instruction.Volume) is.get(1)).paths()).containsExactly("/data", "/logs");
            assertThat(((Instruction.Volume) is.get(2)).paths()).containsExactly("/a b", "/c");
            assertThat(failure("FROM scratch\nVOLUME [\" \"]\n").detail()).isEqualTo("VOLUME specified can not be an empty string");
            assertThat(failure("FROM scratch\nEXPOSE\n").detail()).isEqualTo("EXPOSE requires at least one argument");
        }

        @Test
        void healthchecks() throws Exception {
            List<Instruction> is = body("HEALTHCHECK NONE\nHEALTHCHECK --interval=30s --timeout=1m30s --start-period=500ms "
                    + "--start-interval=2s --retries=3 CMD curl -f http://localhost/ || exit 1\nHEALTHCHECK cmd [\"/bin/check\", \"-q\"]\n");
            assertThat(((Instruction.Healthcheck) is.get(0)).health()).isEqualTo(HealthConfig.none());
            HealthConfig h = ((Instruction.Healthcheck) is.get(1)).health();
            assertThat(h.test()).containsExactly("CMD-SHELL", "curl -f http://localhost/ || exit 1");
            assertThat(h.interval()).isEqualTo(Duration.ofSeconds(30));
            assertThat(h.timeout()).isEqualTo(Duration.ofSeconds(90));
            assertThat(h.startPeriod()).isEqualTo(Duration.ofMillis(500));
            assertThat(h.startInterval()).isEqualTo(Duration.ofSeconds(2));
            assertThat(h.retries()).isEqualTo(3);
            assertThat(((Instruction.Healthcheck) is.get(2)).health().test()).containsExactly("CMD", "/bin/check", "-q");
        }

        @Test
        void badHealthchecks() {
            assertThat(failure("FROM scratch\nHEALTHCHECK NONE x\n").detail()).isEqualTo("HEALTHCHECK NONE takes no arguments");
            assertThat(failure("FROM scratch\nHEALTHCHECK RUN x\n").detail()).isEqualTo("Unknown type \"RUN\" in HEALTHCHECK (try CMD)");
            assertThat(failure("FROM scratch\nHEALTHCHECK CMD\n").detail()).isEqualTo("Missing command after HEALTHCHECK CMD");
            assertThat(failure("FROM scratch\nHEALTHCHECK --retries=-1 CMD x\n").detail()).isEqualTo("--retries cannot be negative (-1)");
            assertThat(failure("FROM scratch\nHEALTHCHECK --interval=10us CMD x\n").detail())
                    .isEqualTo("Interval \"interval\" cannot be less than 1ms");
            assertThat(failure("FROM scratch\nHEALTHCHECK --timeout=5 CMD x\n").getMessage())
                    .isEqualTo("Dockerfile:2:13: time: missing unit in duration \"5\"");
            assertThat(failure("FROM scratch\nHEALTHCHECK --timeout=5d CMD x\n").detail())
                    .isEqualTo("time: unknown unit \"d\" in duration \"5d\"");
            assertThat(failure("FROM scratch\nHEALTHCHECK --every=5s CMD x\n").detail()).isEqualTo("unknown flag: --every");
        }

        @Test
        void onbuild() throws Exception {
            Instruction.Onbuild o = (Instruction.Onbuild) one("onbuild   COPY --chown=app . /src\n");
            assertThat(o.expression()).isEqualTo("COPY --chown=app . /src");
            Copy trigger = (Copy) o.trigger();
            assertThat(trigger.chown()).isEqualTo("app");
            assertThat(trigger.location()).isEqualTo(new SourceLocation("Dockerfile", 2, 11));
        }

        @Test
        void onbuildWithHeredocCarriesTheBody() throws Exception {
            Instruction.Onbuild o = (Instruction.Onbuild) one("ONBUILD RUN <<EOF\necho hi\nEOF\n");
            assertThat(o.expression()).isEqualTo("RUN <<EOF\necho hi\nEOF");
            assertThat(((Run) o.trigger()).heredocs()).hasSize(1);
            Instruction again = DockerfileParser.parseTrigger(o.expression(), "t");
            assertThat(((Run) again).heredocs().getFirst().content()).isEqualTo("echo hi\n");
        }

        @Test
        void badOnbuild() {
            assertThat(failure("FROM scratch\nONBUILD ONBUILD RUN x\n").getMessage())
                    .isEqualTo("Dockerfile:2:9: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
            assertThat(failure("FROM scratch\nONBUILD FROM x\n").detail()).isEqualTo("FROM isn't allowed as an ONBUILD trigger");
            assertThat(failure("FROM scratch\nONBUILD MAINTAINER x\n").detail()).isEqualTo("MAINTAINER isn't allowed as an ONBUILD trigger");
            assertThat(failure("FROM scratch\nONBUILD\n").detail()).isEqualTo("ONBUILD requires at least one argument");
            assertThat(failure("FROM scratch\nONBUILD BOGUS x\n").getMessage()).isEqualTo("Dockerfile:2:9: unknown instruction: BOGUS");
        }

        @Test
        void keywordsOfEveryInstruction() throws Exception {
            List<Instruction> is = body("RUN a\nCOPY a b\nADD a b\nENV a=b\nARG a\nWORKDIR /\nSHELL [\"sh\"]\nUSER u\nLABEL a=b\n"
                    + "CMD a\nENTRYPOINT a\nEXPOSE 1\nVOLUME /v\nSTOPSIGNAL 9\nHEALTHCHECK NONE\nONBUILD RUN a\nMAINTAINER m\n");
            assertThat(is).extracting(Instruction::keyword).containsExactly("RUN", "COPY", "ADD", "ENV", "ARG", "WORKDIR",
                    "SHELL", "USER", "LABEL", "CMD", "ENTRYPOINT", "EXPOSE", "VOLUME", "STOPSIGNAL", "HEALTHCHECK", "ONBUILD",
                    "MAINTAINER");
            assertThat(is).extracting(i -> i.location().line()).containsExactly(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                    15, 16, 17, 18);
        }
    }
}
