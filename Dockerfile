# The monitor's image: a Java 17 runtime, the shaded jar and config/ (monitor definitions,
# interventions, application.properties). Build the jar first:
#
#   mvn -B -q package -DskipTests && docker build -t causal-impact-monitor:local .
#
# The default command is `run --create-topics` against CIM_BOOTSTRAP_SERVERS; any other command
# of the jar can be given instead (docker-compose.yml runs `simulate --to-kafka` with it too).
FROM eclipse-temurin:17.0.15_6-jre-noble

RUN groupadd --system --gid 10001 cim \
 && useradd --system --uid 10001 --gid cim --home-dir /app --shell /usr/sbin/nologin cim \
 && mkdir -p /var/lib/causal-impact-monitor/state \
 && chown -R cim:cim /var/lib/causal-impact-monitor

WORKDIR /app
COPY target/causal-impact-monitor.jar /app/causal-impact-monitor.jar
COPY config/ /app/config/

# Kafka Streams' state stores (RocksDB); mount a volume here to keep them across restarts
ENV CIM_STATE_DIR=/var/lib/causal-impact-monitor/state

USER cim
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/causal-impact-monitor.jar"]
CMD ["run", "--create-topics"]
