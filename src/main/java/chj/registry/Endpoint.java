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
}
