package chj.run;

import java.util.ArrayList;
import java.util.List;

/** What the command line asked for. All strings are byte strings (see chj.run.sys.Sys). */
final class Options {
    /** One {@code -b SRC[:DST]}. */
    record Bind(String src, String dst) {}

    /** Environment edits, applied in command-line order. */
    sealed interface EnvOp permits SetVar, SetFile, SetImage, Unset {}
    /** {@code --set-env=VAR=VAL}. */
    record SetVar(String assignment, boolean expand) implements EnvOp {}
    /** {@code --set-env=FILE} / {@code --set-env0=FILE}: records split on delim. */
    record SetFile(String path, char delim, boolean expand) implements EnvOp {}
    /** {@code --set-env} without argument: the image's /ch/environment. */
    record SetImage(char delim, boolean expand) implements EnvOp {}
    /** {@code --unset-env=GLOB}. */
    record Unset(String glob) implements EnvOp {}

    final List<Bind> binds = new ArrayList<>();
    final List<EnvOp> envOps = new ArrayList<>();
    String cd;
    String feature;
    int uid = -1, gid = -1;
    boolean home;
    boolean join;
    int joinCount;
    String joinTag;
    int joinPid;
    String mountDir;
    boolean noPasswd;
    String storage;
    boolean privateTmp;
    boolean unsafe;
    boolean seccomp;
    /** Negative for -q, positive for -v. */
    int verbosity;
    boolean write;
    /** tmpfs size for -W, or null without -W. */
    String writeFake;
    boolean help, usage, version;
    /** --serve=SOCKET: run the commands sent over this socket (ch-image build), or null. */
    String serve;
    String image;
    String[] cmd;
}
