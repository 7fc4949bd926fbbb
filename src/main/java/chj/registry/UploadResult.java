package chj.registry;

import chj.oci.Digest;

/**
 * How a blob got into a repository.
 *
 * @param method      the way it got there
 * @param mountedFrom the repository it was mounted from ({@link Method#MOUNTED} only), else null
 * @param resumes     times the upload recovered from a failure (resumed where the registry's upload
 *                    status said, or started a new session) before it succeeded
 */
public record UploadResult(Digest digest, long size, Method method, String mountedFrom, int resumes) {

    public enum Method {
        /** The repository had it already (HEAD answered 200); nothing was sent. */
        EXISTED,
        /** Cross-repository mount from another repository of the same registry; nothing was sent. */
        MOUNTED,
        /** One {@code POST …/uploads/?digest=} carrying the whole blob. */
        MONOLITHIC,
        /** {@code POST …/uploads/} for a session, then one {@code PUT ?digest=} carrying the whole blob. */
        POST_PUT,
        /** {@code PATCH} chunks with {@code Content-Range}, then {@code PUT ?digest=}; also how resumed uploads end. */
        CHUNKED
    }

    /** True when bytes were sent (not already present, not mounted). */
    public boolean transferred() {
        return method != Method.EXISTED && method != Method.MOUNTED;
    }
}
