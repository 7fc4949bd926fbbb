package chj.build.dockerfile;

/** Where COPY (or a RUN bind mount) takes its files from. */
public sealed interface CopyFrom {

    /** The build context directory. */
    record Context() implements CopyFrom {}

    /** The result of an earlier stage of this Dockerfile. */
    record Stage(int index) implements CopyFrom {}

    /** An image that must be pulled (or found in the store), e.g. {@code COPY --from=alpine:3.19}. */
    record Image(String reference) implements CopyFrom {}
}
