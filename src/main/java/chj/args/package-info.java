/**
 * Command lines: what a command takes ({@link chj.args.ArgSpec}), parsing with the getopt grammar
 * ({@link chj.args.ArgParser}) and the help text. Written by hand, not with a library, because every
 * ch-image and ch-convert start pays for it: picocli's reflective model cost 0.12–0.15 s a command.
 */
package chj.args;
