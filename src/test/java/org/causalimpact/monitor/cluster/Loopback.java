package org.causalimpact.monitor.cluster;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.testcontainers.containers.GenericContainer;

/**
 * Publishing a container's port on 127.0.0.1 only, whatever address the engine publishes on by
 * default (all interfaces on a laptop's Docker), so that a test broker is never reachable from the
 * network.
 */
public final class Loopback {
  private static final String ADDRESS = "127.0.0.1";

  private Loopback() {}

  /**
   * Publishes {@code containerPort} of {@code container} (one of its exposed ports) on {@code
   * 127.0.0.1:hostPort}, or on a port the engine picks when {@code hostPort} is 0. A fixed port
   * survives a restart of the container; one the engine picks may not.
   */
  public static <T extends GenericContainer<T>> T publish(T container, int containerPort, int hostPort) {
    if (hostPort < 0 || hostPort > 65535) {
      throw new IllegalArgumentException("host port must be in [0, 65535], got " + hostPort);
    }
    Ports.Binding binding =
        hostPort == 0 ? Ports.Binding.bindIp(ADDRESS) : Ports.Binding.bindIpAndPort(ADDRESS, hostPort);
    return container.withCreateContainerCmdModifier(
        cmd ->
            cmd.getHostConfig()
                .withPublishAllPorts(false)
                .withPortBindings(new PortBinding(binding, ExposedPort.tcp(containerPort))));
  }

  /** A port free on 127.0.0.1 now (another process may take it before it is used). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(ADDRESS))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + ADDRESS, e);
    }
  }
}
