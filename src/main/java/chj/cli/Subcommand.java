package chj.cli;

import chj.args.ArgSpec;

/** A ch-image subcommand: what its command line takes (bound to its own fields), and what it does. */
interface Subcommand {

    /** A new spec whose actions fill in this object. */
    ArgSpec spec();

    /** Runs the parsed command; any failure is thrown, and ImageMain reports it. */
    void run(Context ctx) throws Exception;
}
