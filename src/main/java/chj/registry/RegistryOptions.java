package chj.registry;

import java.net.ProxySelector;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How a {@link RegistryClient} behaves. Build with {@link #builder()}; {@link Builder#fromEnvironment}
 * reads {@code CH_IMAGE_INSECURE_REGISTRIES} and the proxy variables.
 *
 * @param tlsVerify              false for {@code --tls-no-verify}: accept any certificate and host name
 * @param insecureRegistries     {@code host} or {@code host:port} entries that may be spoken to in plain
 *                               HTTP (loopback hosts always may); see {@link RegistryClient} for the rule
 * @param credentials            where credentials come from; {@link CredentialSource#none()} for anonymous
 * @param log                    where messages go
 * @param retry                  retry and back-off policy
 * @param connectTimeout         TCP (and TLS) connect limit
 * @param readTimeout            longest wait for response headers, and for each piece of a body
 * @param maxConnectionsPerHost  requests in flight to one registry at once, over all threads
 * @param rangeThreshold         blobs at least this big are fetched in parallel Range parts (if the
 *                               registry serves ranges); {@code Long.MAX_VALUE} turns that off
 * @param rangeParts             parallel parts per large blob
 * @param proxy                  proxy selector, or null for direct connections
 * @param uploadChunkSize        bytes per PATCH when a registry takes blobs only in chunks (raised to
 *                               the registry's {@code OCI-Chunk-Min-Length} where it names one)
 */
public record RegistryOptions(boolean tlsVerify, Set<String> insecureRegistries, CredentialSource credentials,
                              RegistryLog log, RetryPolicy retry, Duration connectTimeout, Duration readTimeout,
                              int maxConnectionsPerHost, long rangeThreshold, int rangeParts, ProxySelector proxy,
                              long uploadChunkSize) {

    public static final long DEFAULT_RANGE_THRESHOLD = 64L << 20;

    /** Large enough for ECR (S3 multipart wants at least 5 MiB per part), small enough to resend cheaply. */
    public static final long DEFAULT_UPLOAD_CHUNK_SIZE = 16L << 20;

    public RegistryOptions {
        insecureRegistries = insecureRegistries.stream().map(s -> s.trim().toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        if (maxConnectionsPerHost < 1) throw new IllegalArgumentException("maxConnectionsPerHost < 1");
        if (rangeParts < 1) throw new IllegalArgumentException("rangeParts < 1");
        if (uploadChunkSize < 1) throw new IllegalArgumentException("uploadChunkSize < 1");
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private boolean tlsVerify = true;
        private Set<String> insecure = Set.of();
        private CredentialSource credentials = CredentialSource.none();
        private RegistryLog log = RegistryLog.silent();
        private RetryPolicy retry = RetryPolicy.defaults();
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration readTimeout = Duration.ofSeconds(120);
        private int maxConnectionsPerHost = 8;
        private long rangeThreshold = DEFAULT_RANGE_THRESHOLD;
        private int rangeParts = 4;
        private ProxySelector proxy;
        private long uploadChunkSize = DEFAULT_UPLOAD_CHUNK_SIZE;

        /** Reads {@code CH_IMAGE_INSECURE_REGISTRIES} (comma-separated host[:port]) and https_proxy & co. */
        public Builder fromEnvironment(Map<String, String> env) {
            String list = env.get("CH_IMAGE_INSECURE_REGISTRIES");
            if (list != null) insecure = Arrays.stream(list.split(",")).collect(Collectors.toSet());
            proxy = EnvProxySelector.fromEnvironment(env);
            return this;
        }

        public Builder tlsVerify(boolean v) {
            tlsVerify = v;
            return this;
        }

        public Builder insecureRegistries(Set<String> v) {
            insecure = v;
            return this;
        }

        public Builder credentials(CredentialSource v) {
            credentials = v;
            return this;
        }

        public Builder log(RegistryLog v) {
            log = v;
            return this;
        }

        public Builder retry(RetryPolicy v) {
            retry = v;
            return this;
        }

        public Builder connectTimeout(Duration v) {
            connectTimeout = v;
            return this;
        }

        public Builder readTimeout(Duration v) {
            readTimeout = v;
            return this;
        }

        public Builder maxConnectionsPerHost(int v) {
            maxConnectionsPerHost = v;
            return this;
        }

        public Builder rangeThreshold(long v) {
            rangeThreshold = v;
            return this;
        }

        public Builder rangeParts(int v) {
            rangeParts = v;
            return this;
        }

        public Builder proxy(ProxySelector v) {
            proxy = v;
            return this;
        }

        public Builder uploadChunkSize(long v) {
            uploadChunkSize = v;
            return this;
        }

        public RegistryOptions build() {
            return new RegistryOptions(tlsVerify, insecure, credentials, log, retry, connectTimeout, readTimeout,
                    maxConnectionsPerHost, rangeThreshold, rangeParts, proxy, uploadChunkSize);
        }
    }
}
