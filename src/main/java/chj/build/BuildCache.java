package chj.build;

import chj.json.JsonTree;
import chj.oci.Digest;
import chj.store.Storage;
import chj.store.StoreException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The build cache: one small record per state, {@code build-cache/states/ID.json}, naming its
 * parent, the instruction, and the layer the instruction made (a changeset tar in the store's blob
 * cache, by DiffID), or none.
 *
 * <p>Why this design. Charliecloud keeps states as Git commits of whole trees and checks them out
 * (copying every file) to continue a build. Here a state is the chain of layers from its base image,
 * and layers are immutable content-addressed blobs shared with images (an image built here lists
 * the same blobs in its {@code ch/manifest.json}, so push sends them as they are). Consequences:
 * <ul>
 *   <li>A full hit restores nothing: the image in the store records the state it holds
 *       ({@code ch/build.json}); if that is the final state computed from the Dockerfile, the build
 *       is done once the keys are computed.</li>
 *   <li>Continuing after a hit clones the base image with {@code cp --reflink=auto} (shared
 *       extents where the filesystem can, a plain copy elsewhere) and unpacks only the build's own
 *       layers, which hold exactly what each instruction changed; nothing is checked out.</li>
 *   <li>A hit after a miss applies the cached layer to the live tree instead of running the step.</li>
 *   <li>Records are written by rename and blobs committed by rename: concurrent builds into one
 *       store can only race to write identical content. {@code --gc} and {@code --reset} take the
 *       cache lock exclusively; builds hold it shared.</li>
 * </ul>
 */
public final class BuildCache {


    /** One state: {@code layer} null when the instruction changed no file; {@code baseImage} only for a root state. */
    public record State(String id, String parent, String instruction, Digest layer, long layerSize, String created,
                        String baseImage) {}

    private final Storage store;
    private final Path dir;

    public BuildCache(Storage store) {
        this.store = store;
        this.dir = store.root().resolve("build-cache").resolve("states");
    }

    public Path statesDir() {
        return dir;
    }

    /** The state's record, or null when the cache has no such state (or its layer blob is gone). */
    public State get(String id) throws StoreException {
        Path f = dir.resolve(id + ".json");
        byte[] b;
        try {
            b = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new StoreException("can't read build cache state" + " " + f + ": " + e.getMessage(), null, e);
        }
        try {
            JsonNode n = JsonTree.read(b);
            Digest layer = n.hasNonNull("layer") ? Digest.parse(n.get("layer").asText()) : null;
            if (layer != null && !store.blobs().contains(layer)) return null;
            return new State(id, n.path("parent").asText(null), n.path("instruction").asText(""), layer,
                    n.path("layer_size").asLong(0), n.path("created").asText(null), n.path("base_image").asText(null));
        } catch (IOException | IllegalArgumentException e) {
            return null;   // a damaged record is a miss; the next write replaces it
        }
    }

    /** Saves a state record (by rename: readers see the whole record or none). */
    public void put(State s) throws StoreException {
        ObjectNode n = JsonTree.object();
        n.put("parent", s.parent());
        n.put("instruction", s.instruction());
        if (s.layer() != null) {
            n.put("layer", s.layer().toString());
            n.put("layer_size", s.layerSize());
        }
        n.put("created", s.created());
        if (s.baseImage() != null) n.put("base_image", s.baseImage());
        Path f = dir.resolve(s.id() + ".json");
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + s.id() + ".tmp." + ProcessHandle.current().pid());
            Files.write(tmp, JsonTree.bytes(n));
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new StoreException("can't write build cache state" + " " + f + ": " + e.getMessage(), null, e);
        }
    }

    /** The chain from the root state to {@code id}, root first. */
    public List<State> chain(String id) throws StoreException {
        List<State> out = new ArrayList<>();
        for (String s = id; s != null; ) {
            State st = get(s);
            if (st == null) throw new StoreException("build cache: state " + s.substring(0, 12) + " is missing",
                    "rebuild with --rebuild, or reset the cache with 'ch-image build-cache --reset'");
            out.addFirst(st);
            s = st.parent();
            if (out.size() > 100_000) throw new StoreException("build cache: state chain loops at " + id);
        }
        return out;
    }

    /** Every state record. */
    public Map<String, State> all() throws StoreException {
        Map<String, State> out = new HashMap<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                String id = name.substring(0, name.length() - 5);
                State st = get(id);
                if (st != null) out.put(id, st);
            }
        } catch (IOException e) {
            throw new StoreException("can't list build cache" + " " + dir + ": " + e.getMessage(), null, e);
        }
        return out;
    }

    /** Removes a state record. */
    void remove(String id) throws IOException {
        Files.deleteIfExists(dir.resolve(id + ".json"));
    }

    /** The cache lock: shared for builds, exclusive for --gc and --reset. */
    public static FileLock lock(Storage store, boolean exclusive) throws StoreException {
        Path f = store.root().resolve("locks").resolve("build-cache.lock");
        try {
            FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return ch.lock(0, Long.MAX_VALUE, !exclusive);
        } catch (IOException e) {
            throw new StoreException("can't lock build cache" + " " + f + ": " + e.getMessage(), null, e);
        }
    }

    /** Releases a lock from {@link #lock} (and its file). */
    public static void unlock(FileLock l) {
        try {
            l.release();
            l.channel().close();
        } catch (IOException ignored) {
            // closing the channel drops the lock anyway
        }
    }
}
