package chj.build.dockerfile;

import java.time.Duration;
import java.util.List;

/**
 * A HEALTHCHECK as Docker stores it in the image config ({@code config.Healthcheck}).
 *
 * @param test {@code ["NONE"]}, {@code ["CMD", argv...]} or {@code ["CMD-SHELL", script]}
 * @param interval zero when not given (the runtime's default applies); likewise the other durations
 * @param retries zero when not given
 */
public record HealthConfig(List<String> test, Duration interval, Duration timeout, Duration startPeriod,
        Duration startInterval, int retries) {

    public HealthConfig {
        test = List.copyOf(test);
    }

    /** {@code HEALTHCHECK NONE}: switch off a check inherited from the base image. */
    public static HealthConfig none() {
        return new HealthConfig(List.of("NONE"), Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0);
    }

    public boolean disabled() {
        return test.equals(List.of("NONE"));
    }
}
