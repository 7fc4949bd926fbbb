package chj.build;

import chj.build.dockerfile.CopyRules;
import chj.build.dockerfile.InlineFile;
import chj.build.dockerfile.ParseException;
import chj.build.dockerfile.Source;
import chj.layer.Compression;
import chj.layer.LayerException;
import chj.layer.LayerUnpacker;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * COPY and ADD into an image tree with Docker's placement rules ({@link CopyRules}): sources are
 * found inside their root (context, stage or image; globs expanded, a top-level symlink followed
 * inside that root), written through the image's own symlinks without ever leaving the tree,
 * permission bits and mtimes kept, deeper symlinks copied as links. Ownership cannot be given away
 * without privilege, so {@code --chown} is only recorded in the history.
 */
final class Copier {

    private final Path imageRoot;
    private final Consumer<String> warnings;

    Copier(Path imageRoot, Consumer<String> warnings) {
        this.imageRoot = imageRoot;
        this.warnings = warnings;
    }

    /** The sources' paths under {@code sourceRoot} (as image-absolute paths), globs expanded, in order. */
    static List<String> expand(Path sourceRoot, List<String> sources, String keyword, Source at) throws BuildException {
        List<String> out = new ArrayList<>();
        for (String s : sources) {
            String norm = "/" + s.replaceAll("^/+", "");
            if (!CopyRules.isGlob(s)) {
                try {
                    if (!Files.exists(RootedPaths.resolve(sourceRoot, norm), LinkOption.NOFOLLOW_LINKS))
                        throw new BuildException(at.location() + ": " + keyword + ": no such file or directory: " + s);
                } catch (IOException e) {
                    throw new BuildException(at.location() + ": " + keyword + ": " + s + ": " + e.getMessage());
                }
                out.add(norm);
                continue;
            }
            List<String> matched = new ArrayList<>();
            try {
                glob(sourceRoot, "", norm.substring(1).split("/"), 0, matched);
            } catch (ParseException e) {
                throw new BuildException(at.location() + ": " + keyword + ": " + e.getMessage());
            } catch (IOException e) {
                throw new BuildException(at.location() + ": " + keyword + ": " + s + ": " + e.getMessage());
            }
            if (matched.isEmpty())
                throw new BuildException(at.location() + ": " + keyword + ": no source files were specified: " + s);
            matched.sort(null);
            out.addAll(matched);
        }
        return out;
    }

    private static void glob(Path root, String prefix, String[] parts, int i, List<String> out)
            throws IOException, ParseException {
        if (i == parts.length) {
            out.add(prefix.isEmpty() ? "/" : prefix);
            return;
        }
        String part = parts[i];
        if (part.isEmpty() || part.equals(".")) {
            glob(root, prefix, parts, i + 1, out);
            return;
        }
        if (!CopyRules.isGlob(part)) {
            if (Files.exists(RootedPaths.resolve(root, prefix + "/" + part), LinkOption.NOFOLLOW_LINKS))
                glob(root, prefix + "/" + part, parts, i + 1, out);
            return;
        }
        Path dir = RootedPaths.resolve(root, prefix.isEmpty() ? "/" : prefix);
        if (!Files.isDirectory(dir)) return;
        Pattern p = CopyRules.glob(part);
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path c : s) names.add(c.getFileName().toString());
        }
        names.sort(null);
        for (String n : names)
            if (p.matcher(n).matches()) glob(root, prefix + "/" + n, parts, i + 1, out);
    }

    /**
     * Copies {@code sources} (image-absolute paths under {@code sourceRoot}) and inline files to
     * {@code destination}; with {@code unpackTars}, a local tar archive is unpacked instead (ADD).
     */
    void copy(String keyword, Path sourceRoot, List<String> sources, List<InlineFile> inline, String destination,
              String chmod, boolean unpackTars, Source at) throws BuildException {
        int count = sources.size() + inline.size();
        try {
            CopyRules.checkDestination(keyword, count, destination, at);
        } catch (ParseException e) {
            throw new BuildException(e.getMessage());
        }
        Integer mode = parseChmod(chmod, at);
        String dest = count > 1 && !destination.endsWith("/") ? destination + "/" : destination;
        try {
            boolean destIsDir = Files.isDirectory(RootedPaths.resolve(imageRoot, dest));
            for (String s : sources) {
                Path src = RootedPaths.resolve(sourceRoot, s);   // a top-level symlink is followed, inside its root
                boolean srcIsDir = Files.isDirectory(src);
                String name = src.equals(sourceRoot) ? "" : src.getFileName().toString();
                if (unpackTars && !srcIsDir && isTar(src)) {
                    Path into = RootedPaths.mkdirs(imageRoot, CopyRules.target(dest, name, true, destIsDir));
                    unpack(src, into);
                    continue;
                }
                String target = CopyRules.target(dest, name, srcIsDir, destIsDir);
                if (srcIsDir) {
                    Path into = RootedPaths.mkdirs(imageRoot, target);
                    copyContents(src, into, mode);
                } else {
                    Path t = placeFile(target);
                    copyEntry(src, t, mode);
                }
            }
            for (InlineFile f : inline) {
                Path t = placeFile(CopyRules.target(dest, f.name(), false, destIsDir));
                Files.deleteIfExists(t);
                Files.writeString(t, f.content(), StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(t, permissions(mode != null ? mode : f.mode()));
            }
        } catch (IOException e) {
            throw new BuildException(at.location() + ": " + keyword + ": " + e.getMessage(), null, e);
        }
    }

    /** The host path a file goes to, its parent directory made; an existing non-directory there is replaced. */
    private Path placeFile(String target) throws IOException {
        int slash = target.lastIndexOf('/');
        Path parent = RootedPaths.mkdirs(imageRoot, slash <= 0 ? "/" : target.substring(0, slash));
        Path t = parent.resolve(target.substring(slash + 1));
        if (Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS))
            throw new IOException("can't copy a file over directory " + target);
        return t;
    }

    private void copyContents(Path srcDir, Path destDir, Integer mode) throws IOException {
        Files.walkFileTree(srcDir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.equals(srcDir)) return FileVisitResult.CONTINUE;
                Path t = destDir.resolve(srcDir.relativize(dir).toString());
                if (Files.exists(t, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS))
                    Files.delete(t);
                if (!Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(t);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                copyEntry(file, destDir.resolve(srcDir.relativize(file).toString()), mode);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) throw e;
                if (dir.equals(srcDir)) return FileVisitResult.CONTINUE;
                Path t = destDir.resolve(srcDir.relativize(dir).toString());
                Files.setPosixFilePermissions(t, permissions(mode != null ? mode : modeOf(dir) | 0700));
                Files.setLastModifiedTime(t, Files.getLastModifiedTime(dir));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void copyEntry(Path src, Path t, Integer mode) throws IOException {
        if (Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS))
            throw new IOException("can't copy a file over directory " + imageRoot.relativize(t));
        if (Files.isSymbolicLink(src)) {
            Files.deleteIfExists(t);
            Files.createSymbolicLink(t, Files.readSymbolicLink(src));
            return;
        }
        if (!Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS)) {
            warnings.accept("not copied (not a file, directory or symlink): " + src);
            return;
        }
        Files.deleteIfExists(t);   // a hard link of another path must not be written through
        Files.copy(src, t, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        if (mode != null) Files.setPosixFilePermissions(t, permissions(mode));
        else if ((modeOf(t) & 0600) != 0600) Files.setPosixFilePermissions(t, permissions(modeOf(t) | 0600));
    }

    private void unpack(Path tar, Path into) throws BuildException, IOException {
        try (InputStream in = Compression.decompress(new BufferedInputStream(Files.newInputStream(tar), 1 << 16))) {
            LayerUnpacker u = new LayerUnpacker(into, warnings);
            u.apply(in);
            u.finish();
        } catch (LayerException e) {
            throw new BuildException("ADD: can't unpack " + tar.getFileName() + ": " + e.getMessage(), null, e);
        }
    }

    /** A tar archive, compressed or not (ADD unpacks these): by magic bytes, as Docker decides. */
    static boolean isTar(Path p) throws IOException {
        try (InputStream in = Compression.decompress(new BufferedInputStream(Files.newInputStream(p), 1 << 12))) {
            byte[] head = in.readNBytes(512);
            if (head.length < 512) return false;
            String magic = new String(head, 257, 5, StandardCharsets.US_ASCII);
            return magic.equals("ustar");
        } catch (IOException e) {
            return false;
        }
    }

    static Integer parseChmod(String chmod, Source at) throws BuildException {
        if (chmod == null) return null;
        if (!chmod.matches("[0-7]{3,4}"))
            throw new BuildException(at.location() + ": --chmod: only octal modes are supported: " + chmod);
        return Integer.parseInt(chmod, 8);
    }

    static int modeOf(Path p) throws IOException {
        return (int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ … OTHERS_EXECUTE
        for (int i = 0; i < 9; i++)
            if ((mode & (0400 >> i)) != 0) s.add(all[i]);
        return s;
    }

    static void touch(Path p, FileTime t) throws IOException {
        Files.setLastModifiedTime(p, t);
    }
}
