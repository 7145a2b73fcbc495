package org.causalimpact.monitor.demo;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Kafka's own log lines (the broker's, Kafka Streams' and the clients', WARN and above as the
 * logging configuration sets) written to a file instead of the console while the demo runs, so
 * that its output is the demo's own. Restores the console when closed. Falls back to the console
 * when logging is not Logback.
 */
final class KafkaLogFile implements AutoCloseable {
  /** The loggers of the broker ({@code kafka.*}, state changes) and of the Java clients and Streams. */
  static final List<String> LOGGERS = List.of("org.apache.kafka", "kafka", "state.change.logger");

  private final Path file;
  private final FileAppender<ILoggingEvent> appender;

  private KafkaLogFile(Path file, FileAppender<ILoggingEvent> appender) {
    this.file = file;
    this.appender = appender;
  }

  /**
   * Sends Kafka's log lines to {@code file} (appended), or, when {@code file} is {@code null}, to a
   * new file {@code cim-demo-kafka-*.log} in the temporary directory, kept after the demo.
   */
  static KafkaLogFile open(Path file) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return new KafkaLogFile(null, null);
    }
    Path target;
    try {
      target = file != null ? file : Files.createTempFile("cim-demo-kafka-", ".log");
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot create a file for Kafka's log lines in the temporary directory: " + e, e);
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{ISO8601} %level [%thread] %logger: %msg%n");
    encoder.start();
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(context);
    appender.setName("demo-kafka-file");
    appender.setFile(target.toString());
    appender.setAppend(true);
    appender.setEncoder(encoder);
    appender.start();
    for (String name : LOGGERS) {
      Logger logger = context.getLogger(name);
      logger.addAppender(appender);
      logger.setAdditive(false);
    }
    return new KafkaLogFile(target.toAbsolutePath(), appender);
  }

  /** Where Kafka's lines go, or {@code null} when they stay on the console. */
  Path file() {
    return file;
  }

  @Override
  public void close() {
    if (appender == null) {
      return;
    }
    LoggerContext context = (LoggerContext) appender.getContext();
    for (String name : LOGGERS) {
      Logger logger = context.getLogger(name);
      logger.detachAppender(appender);
      logger.setAdditive(true);
    }
    appender.stop();
  }
}
