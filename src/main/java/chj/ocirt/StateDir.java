package chj.ocirt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One container's directory in the per-user state root (runc's {@code --root}), keyed by the
 * container id alone: no bundle naming is assumed, so any caller's ids work and two builds never
 * meet. Claiming the directory is one mkdir(2), which is what refuses a duplicate id, also between
 * concurrent creates.
 *
 * <p>The files, each written by one party (the launcher bin/ch-run-oci reads them for
 * {@code state}, {@code start}, {@code kill}, {@code delete}):
 * <ul>
 *   <li>{@value #HEAD}: the state JSON up to but not including status and pid (written here);</li>
 *   <li>{@value #ARGV}: a sh fragment the holder sources: umask and the ch-run command (here);</li>
 *   <li>{@value #ENV}: the container's environment for ch-run --set-env0 (here);</li>
 *   <li>{@value #FIFO} and {@value #READY}: the holder's start channel and its sign of life (holder);</li>
 *   <li>{@value #HOLDER}: "PID STARTTIME" of the pid-file process, last, so that its presence means
 *       created (here, renamed into place);</li>
 *   <li>{@value #STARTED}: written by {@code start}; with a live holder it means running.</li>
 * </ul>
 */
final class StateDir {
    static final String HEAD = "state.head", ARGV = "argv", ENV = "env", FIFO = "fifo", READY = "ready",
            HOLDER = "holder", STARTED = "started";

    private final Path dir;
    private final String id;

    private StateDir(Path dir, String id) {
        this.dir = dir;
        this.id = id;
    }

    Path path() {
        return dir;
    }

    String id() {
        return id;
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    /** runc's rule for ids, less the names that are not file names. */
    static void checkId(String id) throws OciRuntimeException {
        if (id == null || id.isEmpty()) throw new OciRuntimeException("container id missing");
        if (id.equals(".") || id.equals("..") || !id.matches("[A-Za-z0-9_.+-]+") || id.length() > 1024)
            throw new OciRuntimeException("invalid container id: " + id, "letters, digits and _ . + - only");
    }

    /** Where container {@code id}'s directory is, claimed or not. */
    static Path of(Path root, String id) throws OciRuntimeException {
        checkId(id);
        return root.resolve(id);
    }

    /**
     * Claims {@code id} in {@code root}, making the root first if needed (mode 0700). A root that
     * another user owns, or that others may write, is refused: the files in it are run.
     */
    static StateDir claim(Path root, String id) throws OciRuntimeException {
        Path dir = of(root, id);
        prepareRoot(root);
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            throw new OciRuntimeException("container " + id + " already exists (state in " + dir + ")");
        } catch (IOException e) {
            throw new OciRuntimeException("can't make state directory " + dir + ": " + e.getMessage());
        }
        return new StateDir(dir, id);
    }

    private static void prepareRoot(Path root) throws OciRuntimeException {
        try {
            Files.createDirectories(root.getParent());
            Files.createDirectory(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // there already, checked below
        } catch (IOException e) {
            throw new OciRuntimeException("can't make state root " + root + ": " + e.getMessage(), "set --root");
        }
        try {
            PosixFileAttributes a = Files.readAttributes(root, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory()) throw new OciRuntimeException("state root is not a directory: " + root);
            Object me = Files.getOwner(Path.of("/proc/self")).getName();
            if (!a.owner().getName().equals(me))
                throw new OciRuntimeException("state root " + root + " belongs to " + a.owner().getName() + ", not " + me,
                        "set --root to a directory of your own");
            Set<PosixFilePermission> p = a.permissions();
            if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE))
                throw new OciRuntimeException("state root " + root + " is writeable by others", "chmod go-w " + root);
        } catch (IOException e) {
            throw new OciRuntimeException("can't check state root " + root + ": " + e.getMessage());
        }
    }

    /** The state JSON less its last members, which the launcher appends: {@code ,"status":…,"pid":…}. */
    void writeHead(String ociVersion, Path bundle, String created, Map<String, String> annotations)
            throws OciRuntimeException {
        var head = new java.util.LinkedHashMap<String, Object>();
        head.put("ociVersion", ociVersion);
        head.put("id", id);
        head.put("bundle", bundle.toString());
        head.put("created", created);
        head.put("owner", "");
        if (!annotations.isEmpty()) head.put("annotations", annotations);
        String json = Json.write(head, false);
        write(HEAD, json.substring(0, json.length() - 1) + "\n");
    }

    /** The sh fragment the holder sources before it execs: {@code umask} and {@code set -- ARGV}. */
    void writeArgv(List<String> argv, Integer umask) throws OciRuntimeException {
        StringBuilder sh = new StringBuilder();
        if (umask != null) sh.append("umask ").append(String.format("%04o", umask)).append('\n');
        sh.append("set --");
        for (String a : argv) sh.append(' ').append(Sh.quote(a));
        write(ARGV, sh.append('\n').toString());
    }

    /** The environment, NUL-separated. */
    void writeEnv(List<String> env) throws OciRuntimeException {
        StringBuilder b = new StringBuilder();
        for (String e : env) b.append(e).append('\0');
        write(ENV, b.toString());
    }

    /** Records the pid-file process; its arrival turns "creating" into "created". */
    void writeHolder(long pid, String startTime) throws OciRuntimeException {
        writeAtomically(file(HOLDER), pid + " " + startTime + "\n");
    }

    /** Removes the directory and everything in it (a failed create, or tests). */
    void remove() {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        } catch (NoSuchFileException e) {
            // gone already
        } catch (IOException e) {
            // best effort: delete reports what is left
        }
    }

    private void write(String name, String text) throws OciRuntimeException {
        try {
            Files.writeString(file(name), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new OciRuntimeException("can't write " + file(name) + ": " + e.getMessage());
        }
    }

    /** Writes {@code text} to a temporary name beside {@code target} and renames it into place. */
    static void writeAtomically(Path target, String text) throws OciRuntimeException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".chj-oci." + ProcessHandle.current().pid());
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error matters more
            }
            throw new OciRuntimeException("can't write " + target + ": " + e.getMessage());
        }
    }
}
