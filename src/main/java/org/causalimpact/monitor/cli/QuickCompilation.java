package org.causalimpact.monitor.cli;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.JMException;
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
 */
final class QuickCompilation {
  private QuickCompilation() {}

  /** Excludes C2 from now on; does nothing where the JVM does not offer the command. */
  static void request() {
    Path file = null;
    try {
      file = Files.createTempFile("cim-compiler-directives", ".json");
      Files.writeString(file, "[{match: \"*.*\", c2: {Exclude: true}}]", StandardCharsets.UTF_8);
      ManagementFactory.getPlatformMBeanServer()
          .invoke(
              new ObjectName("com.sun.management:type=DiagnosticCommand"),
              "compilerDirectivesAdd",
              new Object[] {new String[] {file.toString()}},
              new String[] {String[].class.getName()});
    } catch (JMException | java.io.IOException | RuntimeException e) {
      // another JVM, or no temporary directory: the default compilers then
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
          file.toFile().deleteOnExit();
        }
      }
    }
  }
}
