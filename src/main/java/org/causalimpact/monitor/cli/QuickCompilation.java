package org.causalimpact.monitor.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import javax.management.DynamicMBean;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Asks HotSpot to leave the optimising (C2) compiler out for the rest of a one-shot command.
 *
 * <p>{@code analyze} runs for about a second: on two cores, C2 compiles the hot loops of the
 * bootstrap and the filter for most of that second, competing with them for the CPU, and its code
 * arrives when the work is nearly done. The quick (C1) compiler's code is slower per call but
 * ready almost at once. Measured on the 5,000-row file of the speed target: 0.94 s with both
 * compilers, 0.60 s with C1 alone (the same as {@code -XX:TieredStopAtLevel=1}). A compiler
 * directive added through the {@code DiagnosticCommand} MBean ({@code compilerDirectivesAdd}, the
 * documented equivalent of {@code jcmd PID Compiler.directives_add}) excludes C2 for every method;
 * the JVM's flags are left alone. Long runs (the stream, {@code validate}) keep C2. On a JVM
 * without the command nothing changes.
 *
 * <p>The MBean is taken from {@code jdk.management} directly where the jar's manifest opens that
 * package ({@code Add-Opens}, which {@code java -jar} honours): the platform MBean server, the
 * public way to it, registers every platform MBean first and costs about 0.2 s of start-up, a
 * fifth of the run. Elsewhere (the classes on a class path) it is that server. The directive
 * file's name is made from the clock, not by {@link Files#createTempFile}, whose random names
 * cost a {@code SecureRandom} (about 50 ms at start-up); it is created only if it does not exist.
 */
final class QuickCompilation {
  private static final String DIRECTIVE = "[{match: \"*.*\", c2: {Exclude: true}}]";

  private QuickCompilation() {}

  /** The operations of the {@code DiagnosticCommand} MBean. */
  private interface Commands {
    Object invoke(String operation, Object[] params, String[] signature) throws JMException;
  }

  /** Excludes C2 from now on; does nothing where the JVM does not offer the command. */
  static void request() {
    Path file =
        Path.of(
            System.getProperty("java.io.tmpdir"),
            "cim-compiler-directives-" + System.nanoTime() + ".json");
    try {
      Files.writeString(
          file, DIRECTIVE, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
      try {
        commands()
            .invoke(
                "compilerDirectivesAdd",
                new Object[] {new String[] {file.toString()}},
                new String[] {String[].class.getName()});
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (JMException | IOException | RuntimeException e) {
      // another JVM, or no temporary directory: the default compilers then
    }
  }

  private static Commands commands() throws JMException {
    try {
      // its static initialiser loads the native library that the commands run in
      Class.forName("com.sun.management.internal.PlatformMBeanProviderImpl");
      Method get =
          Class.forName("com.sun.management.internal.DiagnosticCommandImpl")
              .getDeclaredMethod("getDiagnosticCommandMBean");
      get.setAccessible(true);
      DynamicMBean bean = (DynamicMBean) get.invoke(null);
      return bean::invoke;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
      return (operation, params, signature) -> server.invoke(name, operation, params, signature);
    }
  }
}
