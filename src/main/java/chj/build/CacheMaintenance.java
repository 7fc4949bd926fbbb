package chj.build;

import chj.oci.Digest;
import chj.store.Storage;
import chj.store.StoreException;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code ch-image build-cache}: what the cache holds, garbage collection (states no image needs, and
 * the layers only they used) and reset. Both changes take the cache lock exclusively, so they wait
 * for running builds and builds wait for them.
 */
public final class CacheMaintenance {

    /** Counts for people. */
    public record Summary(int states, int layers, long layerBytes, Map<String, String> images) {}

    /** What {@link #gc} removed. */
    public record Collected(int states, int layers, long bytes) {}

    private final Storage store;
    private final BuildCache cache;

    public CacheMaintenance(Storage store) {
        this.store = store;
        this.cache = new BuildCache(store);
    }

    /** Built images in the store and the state each holds (store name → state id). */
    public Map<String, String> builtImages() throws StoreException {
        Map<String, String> out = new TreeMap<>();
        for (String name : store.imageNames()) {
            Path f = Builder.stateFile(store.imageDir(chj.oci.Reference.parse(name, Map.of()).storeName()));
            try {
                out.put(name, Files.readString(f).strip());
            } catch (IOException e) {
                // not built here
            }
        }
        return out;
    }

    public Summary summary() throws StoreException {
        Map<String, BuildCache.State> all = cache.all();
        Set<Digest> layers = new HashSet<>();
        long bytes = 0;
        for (BuildCache.State s : all.values())
            if (s.layer() != null && layers.add(s.layer())) bytes += s.layerSize();
        return new Summary(all.size(), layers.size(), bytes, builtImages());
    }

    /** Removes states that no image in the store holds or descends from, then layers only those used. */
    public Collected gc() throws StoreException {
        FileLock lock = BuildCache.lock(store, true);
        try {
            Map<String, BuildCache.State> all = cache.all();
            Set<String> keep = new HashSet<>();
            for (String tip : builtImages().values())
                for (String s = tip; s != null && keep.add(s); ) {
                    BuildCache.State st = all.get(s);
                    s = st == null ? null : st.parent();
                }
            Set<Digest> kept = new HashSet<>();
            for (String s : keep)
                if (all.get(s) != null && all.get(s).layer() != null) kept.add(all.get(s).layer());
            int states = 0, layers = 0;
            long bytes = 0;
            Set<Digest> dropped = new HashSet<>();
            for (BuildCache.State s : all.values()) {
                if (keep.contains(s.id())) continue;
                cache.remove(s.id());
                states++;
                if (s.layer() != null && !kept.contains(s.layer()) && dropped.add(s.layer())) {
                    bytes += s.layerSize();
                    if (store.blobs().delete(s.layer())) layers++;
                }
            }
            return new Collected(states, layers, bytes);
        } catch (IOException e) {
            throw new StoreException("can't collect build cache: " + e.getMessage(), null, e);
        } finally {
            BuildCache.unlock(lock);
        }
    }

    /** Empties the cache (images stay; their layers stay in the blob cache until a gc). */
    public int reset() throws StoreException {
        FileLock lock = BuildCache.lock(store, true);
        try {
            int n = 0;
            for (String id : cache.all().keySet()) {
                cache.remove(id);
                n++;
            }
            return n;
        } catch (IOException e) {
            throw new StoreException("can't reset build cache: " + e.getMessage(), null, e);
        } finally {
            BuildCache.unlock(lock);
        }
    }

    /** The states as an indented tree, roots first, with the images that hold them. */
    public List<String> tree() throws StoreException {
        Map<String, BuildCache.State> all = cache.all();
        Map<String, List<BuildCache.State>> children = new HashMap<>();
        List<BuildCache.State> roots = new ArrayList<>();
        for (BuildCache.State s : all.values()) {
            if (s.parent() == null || !all.containsKey(s.parent())) roots.add(s);
            else children.computeIfAbsent(s.parent(), k -> new ArrayList<>()).add(s);
        }
        Map<String, List<String>> holders = new HashMap<>();
        builtImages().forEach((img, st) -> holders.computeIfAbsent(st, k -> new ArrayList<>()).add(img));
        List<String> out = new ArrayList<>();
        roots.sort((a, b) -> a.instruction().compareTo(b.instruction()));
        for (BuildCache.State r : roots) walk(r, 0, children, holders, out);
        return out;
    }

    private static void walk(BuildCache.State s, int depth, Map<String, List<BuildCache.State>> children,
                             Map<String, List<String>> holders, List<String> out) {
        String images = holders.containsKey(s.id()) ? " (" + String.join(", ", holders.get(s.id())) + ")" : "";
        out.add("  ".repeat(depth) + "* " + s.id().substring(0, 12) + " " + s.instruction() + images);
        List<BuildCache.State> kids = new ArrayList<>(children.getOrDefault(s.id(), List.of()));
        kids.sort((a, b) -> a.created().compareTo(b.created()));
        for (BuildCache.State k : kids) walk(k, depth + 1, children, holders, out);
    }
}
