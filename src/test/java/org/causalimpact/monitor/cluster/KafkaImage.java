package org.causalimpact.monitor.cluster;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.exception.NotFoundException;
import org.apache.kafka.common.utils.AppInfoParser;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The broker image of the Testcontainers tests, {@code apache/kafka:<version>} with the version of
 * the Kafka clients on the class path (the pom's {@code kafka.version}). It is built locally by
 * {@value #BUILD_SCRIPT}; nothing is pulled (see docs/testcontainers.md).
 */
public final class KafkaImage {
  /** The image name and tag. */
  public static final String NAME = "apache/kafka:" + AppInfoParser.getVersion();

  /** The script that builds {@link #NAME}, relative to the repository root. */
  public static final String BUILD_SCRIPT = "src/test/docker/build-kafka-image.sh";

  /** The start script that {@link KafkaContainer} copies in once the container runs. */
  static final String START_SCRIPT = "/tmp/testcontainers_start.sh";

  private KafkaImage() {}

  /**
   * A container of {@link #NAME} that reads its start script with {@code sh} once the script has
   * content. {@link KafkaContainer}'s own command waits only for the file to exist and then
   * executes it, which fails with "Text file busy" (exit code 126) when it runs while the copy
   * still has the file open for writing: seen once in about ten CI runs of {@code KafkaContainerIT}.
   * Reading the script needs no execution of a file being written.
   */
  public static KafkaContainer container() {
    KafkaContainer container = new KafkaContainer(NAME);
    container.withCommand(
        "sh",
        "-c",
        "while [ ! -s " + START_SCRIPT + " ]; do sleep 0.1; done; exec sh " + START_SCRIPT);
    return container;
  }

  /**
   * Skips the calling test (a JUnit assumption) where no Docker engine is reachable, and fails it
   * at once where the engine has no {@link #NAME}: Testcontainers would otherwise try to pull it,
   * which takes minutes to fail where no registry is reachable.
   */
  public static void assumeAvailable() {
    assumeTrue(
        DockerClientFactory.instance().isDockerAvailable(),
        "no Docker engine reachable: the container test is skipped (see docs/testcontainers.md)");
    try {
      DockerClientFactory.instance().client().inspectImageCmd(NAME).exec();
    } catch (NotFoundException e) {
      fail(
          "the Docker engine has no image "
              + NAME
              + ": build it with "
              + BUILD_SCRIPT
              + " (see docs/testcontainers.md)");
    }
  }
}
