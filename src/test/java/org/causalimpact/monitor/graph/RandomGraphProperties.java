package org.causalimpact.monitor.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;

/**
 * Properties of graph validation over random monitor files (jqwik; fixed seeds, so a run is
 * reproducible and a failure names the seed and the shrunk sample): a random DAG loads, keeps its
 * nodes and parents, and gets a topological order that puts every parent before its child; a random
 * graph with a cycle is rejected with a message naming a cycle that really is one.
 */
class RandomGraphProperties {
  private static final String SOURCE = "random.yaml";

  /**
   * A random graph as written in a monitor file.
   *
   * @param definition the nodes in the order the file lists them
   * @param parents each node's parents with their maximum lag, in the order the file lists them
   */
  record Graph(List<String> definition, Map<String, Map<String, Integer>> parents) {
    String yaml() {
      StringBuilder y = new StringBuilder("name: random\npreWindow: 20\nnodes:\n");
      for (String n : definition) {
        y.append("  - name: ").append(n).append('\n');
        Map<String, Integer> ps = parents.get(n);
        if (!ps.isEmpty()) {
          List<String> items = new ArrayList<>();
          // a bare name (lags 0..model.lags = 0) or an explicit maximum lag
          ps.forEach((p, lag) -> items.add(lag == 0 ? p : "{node: " + p + ", lags: " + lag + "}"));
          y.append("    parents: [").append(String.join(", ", items)).append("]\n");
        }
      }
      return y.toString();
    }

    int edges() {
      return parents.values().stream().mapToInt(Map::size).sum();
    }
  }

  /**
   * DAGs of 1 to 30 nodes: a hidden causal order, and each pair of nodes joined (earlier to later)
   * with probability 1/2, at lag 0, 1 or 2; the file lists the nodes in another random order.
   */
  @Provide
  Arbitrary<Graph> dags() {
    return Arbitraries.integers().between(1, 30).flatMap(RandomGraphProperties::dagsOf);
  }

  private static Arbitrary<Graph> dagsOf(int n) {
    List<String> names = IntStream.range(0, n).mapToObj(i -> "n" + i).toList();
    return Combinators.combine(
            Arbitraries.shuffle(names),
            Arbitraries.shuffle(names),
            Arbitraries.integers().between(0, 5).list().ofSize(n * (n - 1) / 2))
        .as(
            (causal, definition, codes) -> {
              Map<String, Map<String, Integer>> parents = new LinkedHashMap<>();
              definition.forEach(d -> parents.put(d, new LinkedHashMap<>()));
              int k = 0;
              for (int child = 0; child < n; child++) {
                for (int parent = 0; parent < child; parent++) {
                  int code = codes.get(k++);
                  if (code >= 3) {
                    parents.get(causal.get(child)).put(causal.get(parent), code - 3);
                  }
                }
              }
              return new Graph(definition, parents);
            });
  }

  /** A random DAG of at least 2 nodes plus a chain of 2 to 6 of its nodes closed into a cycle. */
  @Provide
  Arbitrary<Graph> cyclic() {
    return Arbitraries.integers().between(2, 30).flatMap(n ->
        Combinators.combine(
                dagsOf(n),
                Arbitraries.integers().between(0, n - 1).set().ofMinSize(2).ofMaxSize(Math.min(n, 6)))
            .as(RandomGraphProperties::withCycle));
  }

  /** Adds edges {@code c1 -> c2 -> ... -> ck -> c1} over the nodes at the given positions. */
  private static Graph withCycle(Graph dag, Set<Integer> positions) {
    List<String> chain = new ArrayList<>();
    for (int p : new TreeSet<>(positions)) {
      chain.add(dag.definition().get(p));
    }
    Map<String, Map<String, Integer>> parents = new LinkedHashMap<>();
    dag.parents().forEach((n, ps) -> parents.put(n, new LinkedHashMap<>(ps)));
    for (int i = 0; i < chain.size(); i++) {
      String from = chain.get(i);
      String to = chain.get((i + 1) % chain.size());
      parents.get(to).putIfAbsent(from, 0);
    }
    return new Graph(dag.definition(), parents);
  }

  @Property(tries = 300, seed = "20261122")
  void randomDagsLoadWithAnOrderThatPutsEveryParentFirst(@ForAll("dags") Graph g) {
    MonitorDefinition def = MonitorLoader.parse(g.yaml(), SOURCE);
    CausalGraph graph = def.graph();

    assertEquals(g.definition(), graph.nodeNames(), "nodes keep the file's order");
    List<String> order = graph.topologicalOrder();
    assertEquals(g.definition().size(), order.size());
    assertEquals(new HashSet<>(g.definition()), new HashSet<>(order), "a permutation of the nodes");
    int checked = 0;
    for (Map.Entry<String, Map<String, Integer>> child : g.parents().entrySet()) {
      assertEquals(List.copyOf(child.getValue().keySet()), graph.parents(child.getKey()));
      for (Map.Entry<String, Integer> parent : child.getValue().entrySet()) {
        assertTrue(
            order.indexOf(parent.getKey()) < order.indexOf(child.getKey()),
            () -> parent.getKey() + " -> " + child.getKey() + " but the order is " + order);
        assertEquals(
            new Parent(parent.getKey(), parent.getValue()),
            graph.node(child.getKey()).parents().stream()
                .filter(p -> p.node().equals(parent.getKey()))
                .findFirst()
                .orElseThrow());
        checked++;
      }
    }
    assertEquals(g.edges(), checked, "every edge was checked");
    assertEquals(order, MonitorLoader.parse(g.yaml(), SOURCE).graph().topologicalOrder(),
        "the order is deterministic");
  }

  @Property(tries = 300, seed = "20261123")
  void randomGraphsWithACycleAreRejectedNamingARealCycle(@ForAll("cyclic") Graph g) {
    InputException e =
        assertThrows(InputException.class, () -> MonitorLoader.parse(g.yaml(), SOURCE));
    assertInstanceOf(GraphException.class, e);
    String m = e.getMessage();
    String prefix = SOURCE + ": the graph has a cycle ";
    assertTrue(m.startsWith(prefix), m);
    assertTrue(m.contains("must be acyclic"), m);
    List<String> cycle = List.of(m.substring(prefix.length(), m.indexOf(':', prefix.length()))
        .split(" -> "));
    assertTrue(cycle.size() >= 3, () -> "at least two nodes and the return: " + cycle);
    assertEquals(cycle.get(0), cycle.get(cycle.size() - 1), () -> "the cycle closes: " + cycle);
    List<String> nodes = cycle.subList(0, cycle.size() - 1);
    assertEquals(nodes.size(), new HashSet<>(nodes).size(), () -> "a simple cycle: " + cycle);
    for (int i = 0; i + 1 < cycle.size(); i++) {
      String from = cycle.get(i);
      String to = cycle.get(i + 1);
      assertTrue(
          g.parents().get(to).containsKey(from),
          () -> "the message names " + from + " -> " + to + ", which is no edge: " + m);
    }
  }
}
