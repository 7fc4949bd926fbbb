package chj.registry;

import chj.oci.Digest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * Pushes one blob, cheapest way first: nothing if the repository has it (HEAD), a cross-repository
 * mount, one POST carrying the blob, POST then one PUT carrying it, or PATCH chunks then PUT. What a
 * registry refused is remembered for the process, so later blobs go straight to what works.
 * Streams from the file ({@link BlobTransfer} moves the bytes and recovers from failures); starts
 * a new session when the old one is gone.
 */
final class BlobUploader {

    /**
     * Blobs up to this size may find out whether a registry takes a whole blob in its first POST.
     * Many (distribution among them) ignore that body and answer 202, so probing with a large blob
     * would send it twice; Go servers also drain unread bodies only up to 256 KiB.
     */
    static final long SINGLE_POST_PROBE = 256 * 1024;

    private final RequestExecutor executor;
    private final RegistryOptions options;
    private final RegistryLog log;
    private final Map<String, Style> styles = new ConcurrentHashMap<>();

    /** What one registry has shown it takes; null while unknown. */
    private static final class Style {
        volatile Boolean singlePost;
        volatile Boolean putBody;
    }

    BlobUploader(RequestExecutor executor, RegistryOptions options) {
        this.executor = executor;
        this.options = options;
        this.log = options.log();
    }

    boolean exists(Endpoint ep, String shown, Digest digest) throws RegistryException {
        var call = new RequestExecutor.Call(ep.authority(), ep.repository(), ep.pushScope(), "HEAD",
                "/v2/" + ep.repository() + "/blobs/" + digest, List.of());
        try (Response r = executor.execute(call, new Attempts(options.retry(), log))) {
            return switch (r.status()) {
                case 200 -> true;
                // Registries answer 401/403 for what they will not admit exists; the upload that
                // follows reports a real authentication problem.
                case 404, 401, 403 -> false;
                default -> throw new RegistryException("cannot check for blob " + digest + " in " + shown
                        + ": registry answered " + r.status() + ErrorBody.read(r).suffix());
            };
        }
    }

    UploadResult push(Endpoint ep, String shown, Digest digest, long size, Path file, List<String> mountFrom,
                      LongConsumer progress) throws RegistryException {
        checkFile(file, size);
        if (exists(ep, shown, digest)) {
            log.verbose("blob " + digest + " already in " + shown);
            progress.accept(size);
            return new UploadResult(digest, size, UploadResult.Method.EXISTED, null, 0);
        }
        BlobTransfer job = new BlobTransfer(ep, shown, digest, size, file, progress, options);
        Style style = styles.computeIfAbsent(ep.authority(), a -> new Style());
        UploadSession session = null;
        List<String> sources = mountFrom.stream().map(ep::sibling).filter(r -> !r.equals(ep.repository()))
                .distinct().toList();
        for (int i = 0; i < sources.size() && session == null; i++) {
            Mount m = mount(job, sources.get(i));
            if (m.mounted()) {
                progress.accept(size);
                return new UploadResult(digest, size, UploadResult.Method.MOUNTED, sources.get(i), 0);
            }
            if (m.session() != null && i < sources.size() - 1) m.session().cancel(); // try the next source
            else session = m.session();
        }
        while (true) {
            try {
                UploadResult.Method how = upload(job, style, session);
                return new UploadResult(digest, size, how, null, job.resumes());
            } catch (BlobTransfer.SessionLost e) {
                session = null;
                if (exists(ep, shown, digest)) { // a request that seemed to fail did finish the upload
                    progress.accept(size);
                    return new UploadResult(digest, size, UploadResult.Method.CHUNKED, null, job.resumes());
                }
                job.startingOver(e);
            }
        }
    }

    private void checkFile(Path file, long size) throws RegistryException {
        try {
            long actual = Files.size(file);
            if (actual != size)
                throw new RegistryException("cannot upload " + file + ": it is " + actual + " bytes, expected " + size);
        } catch (IOException e) {
            throw new RegistryException("cannot read " + file + ": " + HttpTransport.describe(e), e);
        }
    }

    private record Mount(boolean mounted, UploadSession session) {}

    private Mount mount(BlobTransfer job, String from) throws RegistryException {
        Endpoint ep = job.ep;
        var call = new RequestExecutor.Call(ep.authority(), ep.repository(), ep.mountScope(from), "POST",
                "/v2/" + ep.repository() + "/blobs/uploads/?mount=" + job.digest + "&from=" + from, List.of(),
                null, java.net.http.HttpRequest.BodyPublishers::noBody);
        try (Response r = executor.execute(call, new Attempts(options.retry(), log))) {
            if (r.status() == 201) {
                job.checkServed(r);
                log.verbose(job.object() + ": mounted from " + from);
                return new Mount(true, null);
            }
            if (r.status() == 202) {
                log.verbose(job.object() + ": registry did not mount it from " + from + "; uploading");
                return new Mount(false, UploadSession.started(executor, ep, r));
            }
            log.verbose(job.object() + ": mount from " + from + " refused: " + r.status() + ErrorBody.read(r).suffix());
        } catch (AuthException e) {
            // Some token services refuse a scope on the source outright; uploading still works.
            log.verbose(job.object() + ": no token to mount from " + from + ": " + e.getMessage());
        }
        return new Mount(false, null);
    }

    /** The cheapest way this registry is known (or may turn out) to take, falling back to the next. */
    private UploadResult.Method upload(BlobTransfer job, Style style, UploadSession session)
            throws RegistryException, BlobTransfer.SessionLost {
        if (session == null && style.singlePost != Boolean.FALSE
                && (style.singlePost == Boolean.TRUE || job.size <= SINGLE_POST_PROBE)) {
            SinglePost sp = singlePost(job, style);
            if (sp.stored()) return UploadResult.Method.MONOLITHIC;
            session = sp.session();
            if (sp.held() > 0 && sp.held() <= job.size) return job.chunked(sp.session(), sp.held(), true);
        }
        if (session == null) session = start(job);
        if (style.putBody != Boolean.FALSE) {
            UploadResult.Method how = job.putWhole(session);
            style.putBody = how != null;
            if (how != null) return how;
            session.cancel();
            session = start(job);
        }
        return job.chunked(session, 0, false);
    }

    /** How a POST carrying the whole blob went: stored, or a session to go on with (or none), holding so much. */
    private record SinglePost(boolean stored, UploadSession session, long held) {}

    private SinglePost singlePost(BlobTransfer job, Style style) throws RegistryException {
        Endpoint ep = job.ep;
        var call = new RequestExecutor.Call(ep.authority(), ep.repository(), ep.pushScope(), "POST",
                "/v2/" + ep.repository() + "/blobs/uploads/?digest=" + job.digest,
                List.<String[]>of(new String[] {"Content-Type", "application/octet-stream"}), null,
                () -> FileSlice.publisher(job.file, 0, job.size, job.progress));
        try (Response r = executor.executeOnce(call)) {
            int s = r.status();
            if (s == 201) {
                job.checkServed(r);
                style.singlePost = true;
                return new SinglePost(true, null, 0);
            }
            if (s == 401 || s == 403) throw RegistryClient.pushDenied(r, ep);
            if (s == 202) {
                // A session started instead (distribution ignores the body): carry on in it, from
                // wherever the registry says it stands.
                style.singlePost = false;
                log.verbose(ep.authority() + " does not take a blob with the upload POST; using POST then PUT");
                job.progress.accept(0);
                return new SinglePost(false, UploadSession.started(executor, ep, r),
                        UploadSession.heldBytes(r.header("Range")));
            }
            if (s >= 400 && s < 500 && s != 408 && s != 429) {
                style.singlePost = false;
                log.verbose(ep.authority() + " refuses a blob with the upload POST: " + s + ErrorBody.read(r).suffix()
                        + "; using POST then PUT");
            } else {
                log.verbose(job.object() + ": upload POST answered " + s + "; using POST then PUT");
            }
        } catch (IOException e) {
            log.verbose(job.object() + ": upload POST failed (" + HttpTransport.describe(e) + "); using POST then PUT");
        }
        job.progress.accept(0);
        return new SinglePost(false, null, 0);
    }

    private UploadSession start(BlobTransfer job) throws RegistryException {
        Endpoint ep = job.ep;
        var call = new RequestExecutor.Call(ep.authority(), ep.repository(), ep.pushScope(), "POST",
                "/v2/" + ep.repository() + "/blobs/uploads/", List.of(), null,
                java.net.http.HttpRequest.BodyPublishers::noBody);
        try (Response r = executor.execute(call, new Attempts(options.retry(), log))) {
            int s = r.status();
            if (s >= 200 && s < 300) return UploadSession.started(executor, ep, r);
            if (s == 401 || s == 403) throw RegistryClient.pushDenied(r, ep);
            ErrorBody err = ErrorBody.read(r);
            if (s == 404)
                throw new RegistryException("cannot push to " + job.shown + ": registry does not know the repository"
                        + err.suffix(), "some registries (ECR) need the repository created first", null);
            throw new RegistryException("cannot push to " + job.shown + ": registry answered " + s
                    + " when asked to start an upload" + err.suffix());
        }
    }
}
