package chj.image;

import chj.oci.Descriptor;
import chj.oci.ImageConfig;
import chj.oci.ImageIndex;
import chj.oci.ManifestDocument;
import chj.oci.OciException;
import chj.oci.Platform;
import chj.oci.Reference;
import chj.registry.NotFoundException;
import chj.registry.RegistryClient;
import chj.registry.RegistryException;
import chj.store.Metadata;
import chj.store.Storage;
import chj.store.StoreException;
import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ch-image list REF}: what the store has under that name and what the registry offers for it,
 * per architecture, in Charliecloud's layout.
 */
public final class RemoteDetails {

    private final Storage store;
    private final RegistryClient registry;

    public RemoteDetails(Storage store, RegistryClient registry) {
        this.store = store;
        this.registry = registry;
    }

    public void print(Reference ref, PrintStream out) throws RegistryException, StoreException, OciException {
        boolean local = store.imageExists(ref.storeName());
        out.println("details of image:    " + ref);
        out.print("in local storage:    " + (local ? "yes" : "no"));
        if (local) {
            ImageConfig c = Metadata.readConfig(store.imageDir(ref));
            if (c != null && c.architecture() != null)
                out.print(" (" + c.architecture() + (c.variant() == null ? "" : "/" + c.variant()) + ")");
        }
        out.println();
        String full = ref.registryHost() + ":" + ref.registryPort() + "/" + ref.repository()
                + (ref.digest() != null ? "@" + ref.digest() : ":" + ref.tagOrDigest());
        out.println("full remote ref:     " + full);
        ManifestDocument doc;
        try {
            doc = ManifestDocument.parse(registry.manifest(ref).bytes());
        } catch (NotFoundException e) {
            out.println("available remotely:  no");
            return;
        }
        out.println("available remotely:  yes");
        out.println("remote arch-aware:   " + (doc instanceof ImageIndex ? "yes" : "no"));
        out.println("host architecture:   " + Platform.host());
        if (doc instanceof ImageIndex index) {
            Map<String, String> archs = new TreeMap<>();
            for (Descriptor d : index.manifests())
                if (d.platform() != null && !d.isAttestation() && "linux".equals(d.platform().os()))
                    archs.put(d.platform().toString(), d.digest().shortHex());
            out.println("archs available:");
            archs.forEach((arch, digest) -> out.printf("    %-12s %s%n", arch, digest));
        } else {
            out.println("archs available:     unknown (no index; see the image's config)");
        }
    }
}
