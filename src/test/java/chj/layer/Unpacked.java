package chj.layer;

import chj.testing.TarBuilder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** An image tree unpacked from test layers, with what the unpacker said, and ways to look at it. */
final class Unpacked {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    final Path root;
    final List<String> warnings = new ArrayList<>();
    final List<LayerStats> stats = new ArrayList<>();

    private Unpacked(Path root) {
        this.root = root;
    }

    /** Applies the layers in order to {@code root}, then finishes. */
    static Unpacked layers(Path root, TarBuilder... layers) throws LayerException {
        return tars(root, Stream.of(layers).map(TarBuilder::bytes).toArray(byte[][]::new));
    }

    /** A tree unpacked elsewhere (by another process), to look at. */
    static Unpacked existing(Path root) {
        return new Unpacked(root);
    }

    /** Applies ready-made tar layers in order to {@code root}, then finishes. */
    static Unpacked tars(Path root, byte[]... tars) throws LayerException {
        Unpacked u = new Unpacked(root);
        LayerUnpacker unpacker = new LayerUnpacker(root, u.warnings::add);
        for (byte[] tar : tars) u.stats.add(unpacker.apply(new ByteArrayInputStream(tar)));
        unpacker.finish();
        return u;
    }

    LayerStats last() {
        return stats.getLast();
    }

    Path path(String rel) {
        return root.resolve(rel);
    }

    boolean exists(String rel) {
        return Files.exists(path(rel), NOFOLLOW);
    }

    boolean isFile(String rel) {
        return Files.isRegularFile(path(rel), NOFOLLOW);
    }

    boolean isDir(String rel) {
        return Files.isDirectory(path(rel), NOFOLLOW);
    }

    boolean isSymlink(String rel) {
        return Files.isSymbolicLink(path(rel));
    }

    String read(String rel) {
        try {
            return Files.readString(path(rel), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String linkTarget(String rel) {
        try {
            return Files.readSymbolicLink(path(rel)).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    PosixFileAttributes attrs(String rel) {
        try {
            return Files.readAttributes(path(rel), PosixFileAttributes.class, NOFOLLOW);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Permission bits, setuid/setgid/sticky included (NIO hides those, so ask stat). */
    int mode(String rel) {
        try {
            return (Integer) Files.getAttribute(path(rel), "unix:mode", NOFOLLOW) & 07777;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long mtime(String rel) {
        return attrs(rel).lastModifiedTime().toMillis() / 1000;
    }

    Object inode(String rel) {
        return attrs(rel).fileKey();
    }

    /** Names directly in a directory, sorted. */
    List<String> list(String rel) {
        try (Stream<Path> s = Files.list(path(rel))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every path below the root, relative, sorted ("" excluded). */
    List<String> tree() {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
