package chj.convert;

import chj.Log;

import java.time.Instant;
import java.util.Map;

/**
 * What every step of one conversion shares: the options and the place to report to.
 *
 * @param epoch   SOURCE_DATE_EPOCH, the latest mtime written to tarballs, OCI layers and SquashFS; null when unset
 * @param verbose -v given: helpers may chatter too
 */
record Job(Log log, Programs programs, Scratch scratch, Map<String, String> env, boolean noClobber, boolean xattrs,
           Instant epoch, boolean verbose) {
}
