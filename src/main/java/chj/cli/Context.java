package chj.cli;

import chj.Log;
import chj.registry.CredentialChain;
import chj.registry.RegistryClient;
import chj.registry.RegistryLog;
import chj.registry.RegistryOptions;
import chj.store.Storage;
import chj.store.StoreException;
import java.nio.file.Path;
import java.util.Map;

/** What the subcommands share: the console log, the store and the registry client, built from the global options. */
final class Context {

    private final GlobalOptions global;
    final ConsoleLog log;
    final Map<String, String> env = System.getenv();

    Context(GlobalOptions global) {
        this.global = global;
        this.log = new ConsoleLog("ch-image", global.verbosity(), System.err);
    }

    String user() {
        String u = env.get("USER");
        return u == null || u.isEmpty() ? System.getProperty("user.name") : u;
    }

    Path storageRoot() throws StoreException {
        return Storage.resolveRoot(global.storage, env, user());
    }

    Storage openStorage() throws StoreException {
        return Storage.open(storageRoot());
    }

    String arch() {
        return global.arch;
    }

    boolean alwaysDownload() {
        return global.alwaysDownload;
    }

    RegistryClient registry() {
        RegistryLog rlog = registryLog(log);
        RegistryOptions options = RegistryOptions.builder()
                .fromEnvironment(env)
                .tlsVerify(!global.tlsNoVerify)
                .credentials(CredentialChain.standard(env, rlog))
                .log(rlog)
                .build();
        return new RegistryClient(options);
    }

    static RegistryLog registryLog(ConsoleLog log) {
        return new RegistryLog() {
            @Override
            public boolean enabled(Level level) {
                return log.verbosity() >= switch (level) {
                    case INFO -> 0;
                    case VERBOSE -> 1;
                    case DEBUG -> 2;
                    case TRACE -> 3;
                };
            }

            @Override
            public void log(Level level, String message) {
                switch (level) {
                    case INFO -> log.info(message);
                    case VERBOSE -> log.verbose(message);
                    case DEBUG -> log.debug(message);
                    case TRACE -> log.trace(message);
                }
            }
        };
    }

    Log plainLog() {
        return log;
    }
}
