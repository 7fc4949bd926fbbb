package chj.layer;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What one layer records of a changed tree, as paths relative to the image root: paths added or
 * modified (a directory with everything below it), paths deleted (whiteouts {@code .wh.NAME}) and
 * directories made opaque (their lower content hidden: {@code .wh..wh..opq}), and directories whose
 * own entry changed (mode, mtime) while what is below them did not. {@link LayerWriter} reads the
 * added paths' content from the tree and writes the parent directories they need.
 */
public final class LayerChanges {

    private final Set<String> added, deleted, opaque, directories;

    private LayerChanges(Set<String> added, Set<String> deleted, Set<String> opaque, Set<String> directories) {
        this.added = Collections.unmodifiableSet(added);
        this.deleted = Collections.unmodifiableSet(deleted);
        this.opaque = Collections.unmodifiableSet(opaque);
        this.directories = Collections.unmodifiableSet(directories);
    }

    /** The whole tree: what a flattened image or an exported directory is. */
    public static LayerChanges wholeTree() {
        return builder().add("").build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Added or modified paths, normalised ({@code ""} is the whole tree). */
    public Set<String> added() {
        return added;
    }

    public Set<String> deleted() {
        return deleted;
    }

    public Set<String> opaque() {
        return opaque;
    }

    /** Directories written as an entry of their own, without what is below them. */
    public Set<String> directories() {
        return directories;
    }

    /** True when the layer would hold nothing. */
    public boolean isEmpty() {
        return added.isEmpty() && deleted.isEmpty() && opaque.isEmpty() && directories.isEmpty();
    }

    public static final class Builder {
        private final Set<String> added = new LinkedHashSet<>(), deleted = new LinkedHashSet<>(), opaque = new LinkedHashSet<>(),
                directories = new LinkedHashSet<>();

        private Builder() {}

        /** A path whose entry is written as it is in the tree; for a directory, with everything below it. */
        public Builder add(String path) {
            added.add(clean(path, true));
            return this;
        }

        /** A path of a lower layer that this layer deletes. */
        public Builder delete(String path) {
            deleted.add(clean(path, false));
            return this;
        }

        /** A directory whose lower-layer content this layer hides; add the directory too to keep it. */
        public Builder opaque(String dir) {
            opaque.add(clean(dir, false));
            return this;
        }

        /**
         * A directory whose own entry (mode, mtime) is written, but nothing below it: for a directory
         * that changed itself while its content did not. It must be a directory in the tree.
         */
        public Builder directory(String dir) {
            directories.add(clean(dir, false));
            return this;
        }

        public LayerChanges build() {
            return new LayerChanges(new LinkedHashSet<>(added), new LinkedHashSet<>(deleted), new LinkedHashSet<>(opaque),
                    new LinkedHashSet<>(directories));
        }

        private static String clean(String path, boolean rootAllowed) {
            String rel = MemberPath.normalize(path);
            if (rel == null) throw new IllegalArgumentException("path climbs out of the image root: " + path);
            if (rel.isEmpty() && !rootAllowed) throw new IllegalArgumentException("the image root cannot be deleted or made opaque");
            if (MemberPath.baseName(rel).startsWith(".wh."))
                throw new IllegalArgumentException("path is a whiteout name: " + path);
            return rel;
        }
    }
}
