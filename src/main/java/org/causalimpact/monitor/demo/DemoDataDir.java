package org.causalimpact.monitor.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.causalimpact.monitor.InputException;

/** Where the demo keeps its data: the directory given with {@code --data-dir}, or a new one. */
final class DemoDataDir {
  private DemoDataDir() {}

  /**
   * Creates the directory of the broker's and the state stores' data: {@code given}, which must be
   * empty or absent, or a new temporary directory when {@code given} is {@code null}.
   *
   * @throws InputException when {@code given} is a file, is not empty or cannot be created
   */
  static Path prepare(Path given) {
    try {
      if (given == null) {
        return Files.createTempDirectory("cim-demo-");
      }
      if (Files.isDirectory(given)) {
        try (var entries = Files.list(given)) {
          if (entries.findAny().isPresent()) {
            throw new InputException(
                "--data-dir "
                    + given
                    + " is not empty: the demo starts from a fresh broker; remove it or name"
                    + " another directory");
          }
        }
      } else if (Files.exists(given)) {
        throw new InputException("--data-dir " + given + " is a file, not a directory");
      }
      return Files.createDirectories(given).toAbsolutePath();
    } catch (IOException e) {
      throw new InputException("cannot create the data directory " + given + ": " + e, e);
    }
  }
}
