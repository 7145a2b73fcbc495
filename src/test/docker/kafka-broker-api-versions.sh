#!/bin/sh
# /opt/kafka/bin/kafka-broker-api-versions.sh of the locally built apache/kafka test image, as in
# Kafka's distribution: the API versions each broker supports, e.g.
#   kafka-broker-api-versions.sh --bootstrap-server localhost:9092
# docker-compose.yml's health check of the broker runs it. A small heap and the C1 compiler: it
# runs every few seconds beside the broker.
exec java -Xmx64m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "/opt/kafka/libs/*" \
  org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
