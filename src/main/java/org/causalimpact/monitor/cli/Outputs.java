package org.causalimpact.monitor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.causalimpact.monitor.InputException;

/** Where command results go: standard output, or the file of {@code --output}. */
final class Outputs {
  private Outputs() {}

  /**
   * Writes {@code text} to {@code file}, creating its parent directories, or to {@code stdout}
   * when {@code file} is {@code null}.
   */
  static void write(Path file, String text, PrintWriter stdout) {
    if (file == null) {
      stdout.print(text);
      stdout.flush();
      return;
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InputException("cannot write --output " + file + ": " + e, e);
    }
  }
}
