package chj.layer;

/** A member the unpacker skips with a warning: its name, link or place is not acceptable. */
final class MemberRejected extends Exception {

    MemberRejected(String reason) {
        super(reason, null, false, false);
    }
}
