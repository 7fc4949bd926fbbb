package chj.layer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Unpacks layer files (any compression) into a directory, for tests that must run the unpacker
 * as another user: {@code java chj.layer.UnpackMain ROOT LAYER...}. Prints warnings to stderr and
 * one stats line per layer to stdout; exits 1 with the error on a LayerException.
 */
public final class UnpackMain {

    public static void main(String[] args) throws IOException {
        LayerUnpacker unpacker = new LayerUnpacker(Path.of(args[0]), w -> System.err.println("warning: " + w));
        try {
            for (int i = 1; i < args.length; i++) {
                try (InputStream in = Files.newInputStream(Path.of(args[i]))) {
                    System.out.println(unpacker.apply(Compression.decompress(in)));
                }
            }
            unpacker.finish();
        } catch (LayerException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }
}
