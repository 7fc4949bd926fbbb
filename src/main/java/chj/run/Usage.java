package chj.run;

/** --help and --usage texts, laid out like argp's. */
final class Usage {
    private Usage() {}

    static final String HELP = """
            Usage: ch-run [OPTION...] IMAGE -- CMD [ARG...]

            Run a command in a Charliecloud container.

              -b, --bind=SRC[:DST]   mount SRC at guest DST (default: same as SRC)
              -c, --cd=DIR           initial working directory in container
                  --env-no-expand    don't expand $ in --set-env input
                  --feature=FEAT     exit successfully if FEAT is enabled
              -g, --gid=GID          run as GID within container
                  --home             mount host $HOME at guest /home/$USER
              -j, --join             use same container as peer ch-run
                  --join-ct=N        number of join peers (implies --join)
                  --join-pid=PID     join a namespace using a PID
                  --join-tag=TAG     label for peer group (implies --join)
              -m, --mount=DIR        SquashFS mount point
                  --no-passwd        don't bind-mount /etc/{passwd,group}
              -q, --quiet            print less output (can be repeated)
                  --seccomp          fake success for some syscalls with seccomp(2)
                  --serve=SOCKET     run commands sent over SOCKET (internal use only)
                  --set-env[=ARG]    set environment variables per ARG
                  --set-env0[=ARG]   set environment variables per ARG, NUL-separated
              -s, --storage=DIR      set DIR as storage directory
              -t, --private-tmp      use container-private /tmp
                  --unsafe           do unsafe things (internal use only)
                  --unset-env=GLOB   unset environment variable(s)
              -u, --uid=UID          run as UID within container
              -v, --verbose          be more verbose (can be repeated)
              -w, --write            mount image read-write (avoid)
              -W, --write-fake[=SIZE]   overlay read-write tmpfs on top of image
              -?, --help             Give this help list
                  --usage            Give a short usage message
              -V, --version          print version and exit

            Mandatory or optional arguments to long options are also mandatory or optional
            for any corresponding short options.

            Example:

              $ ch-run /data/foo -- echo hello
              hello

            You cannot use this program to actually change your UID.
            """;

    static final String USAGE = """
            Usage: ch-run [-jqtvwW?V] [-b SRC[:DST]] [-c DIR] [-g GID] [-m DIR] [-s DIR]
                        [-u UID] [--bind=SRC[:DST]] [--cd=DIR] [--env-no-expand]
                        [--feature=FEAT] [--gid=GID] [--home] [--join-ct=N]
                        [--join-pid=PID] [--join-tag=TAG] [--join] [--mount=DIR]
                        [--no-passwd] [--quiet] [--seccomp] [--serve=SOCKET]
                        [--set-env[=ARG]] [--set-env0[=ARG]] [--storage=DIR]
                        [--private-tmp] [--unsafe]
                        [--unset-env=GLOB] [--uid=UID] [--verbose] [--write]
                        [--write-fake[=SIZE]] [--help] [--usage] [--version]
                        IMAGE -- CMD [ARG...]
            """;
}
