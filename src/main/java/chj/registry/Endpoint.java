package chj.registry;

import chj.oci.Reference;

/**
 * Where requests for an image go: the registry's {@code host[:port]} and the repository path there.
 * Docker Hub's aliases (docker.io, index.docker.io, …) are sent to its API host, with the
 * {@code library/} prefix that single-component names have there.
 */
record Endpoint(String authority, String repository) {

    static Endpoint of(Reference ref) {
        String written = ref.registryHost();
        String host = RegistryHosts.apiHost(written);
        int port = ref.registryPort();
        String repository = ref.repository();
        if (!host.equals(written) && !repository.contains("/")) repository = "library/" + repository;
        String authority = port == Reference.DEFAULT_PORT ? host : host + ":" + port;
        return new Endpoint(authority, repository);
    }

    String pullScope() {
        return "repository:" + repository + ":pull";
    }

    /** A push token must also allow pull: the client HEADs blobs before uploading them. */
    String pushScope() {
        return "repository:" + repository + ":pull,push";
    }

    /** For a cross-repository mount: push here, and pull from the repository the blob comes from. */
    String mountScope(String fromRepository) {
        return pushScope() + " repository:" + fromRepository + ":pull";
    }

    /** Another repository on the same registry, spelt as {@link #of} spells this one ({@code library/} on Docker Hub). */
    String sibling(String repositoryName) {
        boolean dockerHub = authority.equals(Reference.DOCKER_HUB);
        return dockerHub && !repositoryName.contains("/") ? "library/" + repositoryName : repositoryName;
    }
}
