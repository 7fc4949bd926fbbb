package chj.layer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whiteouts of one layer. A whiteout hides what the LOWER layers put at a path, never what its own
 * layer writes, wherever the whiteout stands in the archive. So the layer's written paths (and
 * their parents) are tracked: a whiteout that comes first removes the lower entry outright (one
 * rename into the graveyard); one that comes after some of its layer's entries removes only the
 * lower ones around them. Paths already cleared in this layer are not walked again, which keeps
 * a layer linear in its size, whatever the order and nesting of its whiteouts.
 *
 * <p>Removed entries stay in the graveyard until the layer ends, so a hard link of the same layer
 * can still reach a lower file that a whiteout hid.
 */
final class Whiteouts {

    private final RootTree tree;
    /** Paths this layer wrote, and all their parents. */
    private final Set<String> touched = new HashSet<>();
    /** Paths whose lower-layer content is gone already. */
    private final Set<String> cleared = new HashSet<>();
    /** Where lower entries hidden by this layer's whiteouts now lie. */
    private final Map<String, Path> buried = new HashMap<>();

    Whiteouts(RootTree tree) {
        this.tree = tree;
    }

    /** Records that this layer wrote {@code rel} (and so implied its parents). */
    void touch(String rel) {
        for (String p = rel; !p.isEmpty() && touched.add(p); p = MemberPath.parent(p)) {
            // a parent already present means all its own parents are too
        }
    }

    /** {@code .wh.NAME}: hides {@code rel} and everything below it in the lower layers. */
    void hide(String rel) throws IOException, MemberRejected {
        if (isCleared(rel)) return;
        switch (tree.kindOf(rel)) {
            case MISSING -> {}
            case BEHIND_SYMLINK -> throw new MemberRejected("its directory is reached through a symbolic link");
            case DIRECTORY -> {
                if (touched.contains(rel)) clearBelow(rel);
                else bury(rel);
            }
            default -> {
                if (!touched.contains(rel)) bury(rel);
            }
        }
        cleared.add(rel);
    }

    /** {@code .wh..wh..opq}: hides everything the lower layers put below {@code dir}. */
    void makeOpaque(String dir) throws IOException, MemberRejected {
        if (isCleared(dir)) return;
        switch (tree.kindOf(dir)) {
            case DIRECTORY -> clearBelow(dir);
            case BEHIND_SYMLINK, SYMLINK -> throw new MemberRejected("its directory is reached through a symbolic link");
            default -> {}
        }
        cleared.add(dir);
    }

    /**
     * Removes the children of {@code dir} this layer did not write, descending into the directories
     * it wrote below unless they were cleared already: each directory is walked once per layer.
     */
    private void clearBelow(String dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tree.resolve(dir))) {
            for (Path p : ds) names.add(p.getFileName().toString());
        }
        for (String name : names) {
            String child = MemberPath.join(dir, name);
            if (RootTree.isReserved(child)) continue;
            if (!touched.contains(child)) bury(child);
            else if (!cleared.contains(child) && tree.kindOf(child) == RootTree.Kind.DIRECTORY) clearBelow(child);
        }
        cleared.add(dir);
    }

    private void bury(String rel) throws IOException {
        buried.put(rel, tree.bury(rel));
    }

    private boolean isCleared(String rel) {
        for (String p = rel; ; p = MemberPath.parent(p)) {
            if (cleared.contains(p)) return true;
            if (p.isEmpty()) return false;
        }
    }

    /**
     * Where a lower entry that this layer's whiteouts hid now lies, for hard links to it; null when
     * it was not hidden, or is a directory or reached through a symbolic link there.
     */
    Path hiddenFile(String rel) throws IOException {
        for (String p = rel; !p.isEmpty(); p = MemberPath.parent(p)) {
            Path grave = buried.get(p);
            if (grave == null) continue;
            String below = p.equals(rel) ? null : rel.substring(p.length() + 1);
            RootTree.Kind kind = below == null ? RootTree.lstatKind(grave) : RootTree.kindBelow(grave, below);
            if (kind != RootTree.Kind.OTHER && kind != RootTree.Kind.SYMLINK) return null;
            return below == null ? grave : grave.resolve(below);
        }
        return null;
    }
}
