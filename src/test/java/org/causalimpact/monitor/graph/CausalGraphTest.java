package org.causalimpact.monitor.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CausalGraphTest {

  private static NodeDefinition node(String name, String... parents) {
    List<Parent> ps = new ArrayList<>();
    for (String p : parents) {
      ps.add(new Parent(p, 0));
    }
    return new NodeDefinition(name, ps, 0, null, false, Aggregation.MEAN);
  }

  /** a -> b -> d, a -> c -> d, and an unconnected e. */
  private static CausalGraph diamond() {
    return CausalGraph.of(
        List.of(node("a"), node("b", "a"), node("c", "a"), node("d", "b", "c"), node("e")));
  }

  @Test
  void topologicalOrderPutsParentsFirstAndBreaksTiesByDefinitionOrder() {
    CausalGraph g = CausalGraph.of(List.of(node("y", "x", "z"), node("x"), node("z", "x")));

    assertEquals(List.of("x", "z", "y"), g.topologicalOrder());
    assertEquals(List.of("y", "x", "z"), g.nodeNames());
  }

  @Test
  void unconnectedRootsKeepDefinitionOrderNotAlphabetical() {
    CausalGraph g = CausalGraph.of(List.of(node("zeta"), node("alpha"), node("mid", "alpha")));

    assertEquals(List.of("zeta", "alpha", "mid"), g.topologicalOrder());
  }

  @Test
  void orderIsDeterministicAcrossBuilds() {
    List<NodeDefinition> nodes =
        List.of(node("d", "b", "c"), node("c", "a"), node("b", "a"), node("a"), node("e"));

    List<String> first = CausalGraph.of(nodes).topologicalOrder();

    assertEquals(List.of("a", "c", "b", "d", "e"), first);
    for (int i = 0; i < 20; i++) {
      assertEquals(first, CausalGraph.of(nodes).topologicalOrder());
    }
  }

  @Test
  void descendantsOfTheDiamondRootInTopologicalOrder() {
    CausalGraph g = diamond();

    assertEquals(List.of("b", "c", "d"), List.copyOf(g.descendants(List.of("a"))));
    assertEquals(List.of("d"), List.copyOf(g.descendants(List.of("b"))));
    assertEquals(Set.of(), g.descendants(List.of("d")));
    assertEquals(Set.of(), g.descendants(List.of("e")));
    assertEquals(List.of("d"), List.copyOf(g.descendants(List.of("b", "c"))));
  }

  @Test
  void ancestorsOfTheDiamondSinkInTopologicalOrder() {
    CausalGraph g = diamond();

    assertEquals(List.of("a", "b", "c"), List.copyOf(g.ancestors(List.of("d"))));
    assertEquals(List.of("a"), List.copyOf(g.ancestors(List.of("c"))));
    assertEquals(Set.of(), g.ancestors(List.of("a")));
  }

  @Test
  void directedPathsOfTheDiamond() {
    CausalGraph g = diamond();

    assertEquals(List.of(List.of("a", "b", "d"), List.of("a", "c", "d")), g.directedPaths("a", "d"));
    assertEquals(List.of(List.of("a", "b")), g.directedPaths("a", "b"));
    assertEquals(List.of(), g.directedPaths("d", "a"));
    assertEquals(List.of(), g.directedPaths("b", "c"));
    assertEquals(List.of(), g.directedPaths("a", "e"));
  }

  @Test
  void parentsAndChildrenFollowDefinitionOrder() {
    CausalGraph g = diamond();

    assertEquals(List.of("b", "c"), g.children("a"));
    assertEquals(List.of("b", "c"), g.parents("d"));
    assertEquals(List.of(), g.parents("a"));
    assertEquals(3, g.indexOf("d"));
    assertTrue(g.contains("e"));
    assertEquals(5, g.size());
  }

  @Test
  void resultsAreUnmodifiable() {
    CausalGraph g = diamond();

    assertThrows(UnsupportedOperationException.class, () -> g.nodes().add(node("f")));
    assertThrows(UnsupportedOperationException.class, () -> g.topologicalOrder().add("f"));
    assertThrows(UnsupportedOperationException.class, () -> g.descendants(List.of("a")).clear());
  }

  /** Random DAGs (seed 20240611): every edge goes forward in the topological order. */
  @Test
  void topologicalOrderRespectsEveryEdgeOfRandomDags() {
    long seed = 20240611L;
    Random random = new Random(seed);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + random.nextInt(12);
      List<String> names = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        names.add("n" + i);
      }
      List<NodeDefinition> nodes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        List<String> parents = new ArrayList<>();
        for (int j = 0; j < i; j++) {
          if (random.nextDouble() < 0.3) {
            parents.add(names.get(j));
          }
        }
        nodes.add(node(names.get(i), parents.toArray(String[]::new)));
      }
      // Definition order is shuffled so the sort has real work to do.
      java.util.Collections.shuffle(nodes, random);

      CausalGraph g = CausalGraph.of(nodes);

      List<String> order = g.topologicalOrder();
      assertEquals(n, order.size());
      for (NodeDefinition child : nodes) {
        for (Parent p : child.parents()) {
          int trialNo = trial;
          assertTrue(
              order.indexOf(p.node()) < order.indexOf(child.name()),
              () -> "seed " + seed + ", trial " + trialNo + ": " + p.node() + " -> "
                  + child.name() + " violated by " + order);
        }
      }
    }
  }

  @Test
  void twoCycleIsReportedWithItsPath() {
    GraphException e =
        assertThrows(
            GraphException.class, () -> CausalGraph.of(List.of(node("a", "b"), node("b", "a"))));

    assertTrue(e.getMessage().startsWith("the graph has a cycle a -> b -> a:"), e.getMessage());
  }

  @Test
  void threeCycleBehindAnAcyclicPartIsReportedWithItsPath() {
    GraphException e =
        assertThrows(
            GraphException.class,
            () ->
                CausalGraph.of(
                    List.of(
                        node("root"),
                        node("a", "root", "c"),
                        node("b", "a"),
                        node("c", "b"),
                        node("leaf", "c"))));

    assertTrue(e.getMessage().contains("cycle a -> b -> c -> a:"), e.getMessage());
  }

  @Test
  void selfLoopIsACycle() {
    GraphException e =
        assertThrows(GraphException.class, () -> CausalGraph.of(List.of(node("a", "a"))));

    assertTrue(e.getMessage().contains("cycle a -> a:"), e.getMessage());
    assertTrue(e.getMessage().contains("use 'ar'"), e.getMessage());
  }

  @Test
  void unknownParentDuplicateNodeAndEmptyGraphAreNamed() {
    GraphException unknown =
        assertThrows(GraphException.class, () -> CausalGraph.of(List.of(node("a", "ghost"))));
    GraphException duplicate =
        assertThrows(GraphException.class, () -> CausalGraph.of(List.of(node("a"), node("a"))));
    GraphException empty = assertThrows(GraphException.class, () -> CausalGraph.of(List.of()));

    assertTrue(unknown.getMessage().startsWith("node 'a' has unknown parent 'ghost'"));
    assertTrue(duplicate.getMessage().startsWith("node 'a' is defined twice"));
    assertTrue(empty.getMessage().startsWith("the graph has no nodes"));
  }

  @Test
  void unknownNodeInAQueryIsNamed() {
    GraphException e = assertThrows(GraphException.class, () -> diamond().descendants(List.of("x")));

    assertEquals("unknown node 'x' (known nodes: a, b, c, d, e)", e.getMessage());
  }

  @Test
  void maxLagCoversOwnAndParentLags() {
    NodeDefinition n =
        new NodeDefinition(
            "v", List.of(new Parent("a", 2), new Parent("b", 0)), 3, null, false, Aggregation.SUM);

    assertEquals(3, n.maxLag());
    assertEquals(0, NodeDefinition.root("r").maxLag());
  }
}
