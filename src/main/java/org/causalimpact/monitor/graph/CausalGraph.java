package org.causalimpact.monitor.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated causal DAG over named nodes. Construction checks that node names are unique, that
 * every parent is a node, and that the graph has no directed cycle; a failure names the offending
 * nodes (for a cycle, its path {@code a -> b -> a}).
 *
 * <p>Immutable and thread-safe. Node indexes follow the order of definition; {@link
 * #topologicalOrder()} is deterministic (Kahn's algorithm, ties broken by definition order).
 */
public final class CausalGraph {
  private final List<NodeDefinition> nodes;
  private final Map<String, Integer> index;
  private final List<List<Integer>> children;
  private final List<String> topologicalOrder;

  private CausalGraph(List<NodeDefinition> nodes) {
    this.nodes = List.copyOf(nodes);
    Map<String, Integer> idx = new LinkedHashMap<>();
    for (NodeDefinition n : this.nodes) {
      if (idx.putIfAbsent(n.name(), idx.size()) != null) {
        throw new GraphException(
            "node '" + n.name() + "' is defined twice: give each node one entry under 'nodes'");
      }
    }
    this.index = Collections.unmodifiableMap(idx);
    List<List<Integer>> ch = new ArrayList<>();
    for (int i = 0; i < this.nodes.size(); i++) {
      ch.add(new ArrayList<>());
    }
    for (NodeDefinition n : this.nodes) {
      Set<String> seen = new HashSet<>();
      for (Parent p : n.parents()) {
        Integer pi = idx.get(p.node());
        if (pi == null) {
          throw new GraphException(
              "node '"
                  + n.name()
                  + "' has unknown parent '"
                  + p.node()
                  + "': define it under 'nodes' or remove it (known nodes: "
                  + String.join(", ", idx.keySet())
                  + ")");
        }
        if (!seen.add(p.node())) {
          throw new GraphException(
              "node '" + n.name() + "' lists parent '" + p.node() + "' twice: list it once");
        }
        ch.get(pi).add(idx.get(n.name()));
      }
    }
    this.children = ch.stream().map(List::copyOf).toList();
    this.topologicalOrder = sortOrReportCycle();
  }

  /** Builds and validates a graph. */
  public static CausalGraph of(List<NodeDefinition> nodes) {
    if (nodes.isEmpty()) {
      throw new GraphException("the graph has no nodes: define at least one under 'nodes'");
    }
    return new CausalGraph(nodes);
  }

  private List<String> sortOrReportCycle() {
    int n = nodes.size();
    int[] indegree = new int[n];
    for (NodeDefinition node : nodes) {
      indegree[index.get(node.name())] = node.parents().size();
    }
    List<String> order = new ArrayList<>(n);
    boolean[] done = new boolean[n];
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int i = 0; i < n; i++) {
        if (!done[i] && indegree[i] == 0) {
          done[i] = true;
          order.add(nodes.get(i).name());
          for (int c : children.get(i)) {
            indegree[c]--;
          }
          progress = true;
          break;
        }
      }
    }
    if (order.size() < n) {
      throw new GraphException(
          "the graph has a cycle "
              + String.join(" -> ", findCycle(done))
              + ": a structural causal model must be acyclic; remove one of these edges"
              + " (use 'ar' for a node's dependence on its own past)");
    }
    return List.copyOf(order);
  }

  /** Finds one directed cycle among the nodes not removed by the topological sort. */
  private List<String> findCycle(boolean[] removed) {
    int n = nodes.size();
    int[] state = new int[n];
    int[] from = new int[n];
    for (int start = 0; start < n; start++) {
      if (removed[start] || state[start] != 0) {
        continue;
      }
      Deque<int[]> stack = new ArrayDeque<>();
      stack.push(new int[] {start, 0});
      state[start] = 1;
      while (!stack.isEmpty()) {
        int[] top = stack.peek();
        int v = top[0];
        List<Integer> next = children.get(v);
        if (top[1] < next.size()) {
          int w = next.get(top[1]++);
          if (removed[w]) {
            continue;
          }
          if (state[w] == 1) {
            List<String> cycle = new ArrayList<>();
            cycle.add(nodes.get(w).name());
            for (int u = v; u != w; u = from[u]) {
              cycle.add(1, nodes.get(u).name());
            }
            cycle.add(nodes.get(w).name());
            return cycle;
          }
          if (state[w] == 0) {
            state[w] = 1;
            from[w] = v;
            stack.push(new int[] {w, 0});
          }
        } else {
          state[v] = 2;
          stack.pop();
        }
      }
    }
    throw new IllegalStateException("no cycle found among unsorted nodes");
  }

  public List<NodeDefinition> nodes() {
    return nodes;
  }

  public int size() {
    return nodes.size();
  }

  public List<String> nodeNames() {
    return List.copyOf(index.keySet());
  }

  public boolean contains(String name) {
    return index.containsKey(name);
  }

  /** The index of a node in definition order. */
  public int indexOf(String name) {
    Integer i = index.get(name);
    if (i == null) {
      throw new GraphException(
          "unknown node '" + name + "' (known nodes: " + String.join(", ", index.keySet()) + ")");
    }
    return i;
  }

  public NodeDefinition node(String name) {
    return nodes.get(indexOf(name));
  }

  /** Node names, every parent before its children. */
  public List<String> topologicalOrder() {
    return topologicalOrder;
  }

  public List<String> parents(String name) {
    return node(name).parents().stream().map(Parent::node).toList();
  }

  public List<String> children(String name) {
    return children.get(indexOf(name)).stream().map(i -> nodes.get(i).name()).toList();
  }

  /** Every node reachable from {@code sources} by a directed path of length at least one. */
  public Set<String> descendants(Collection<String> sources) {
    Set<String> out = new LinkedHashSet<>();
    Deque<Integer> todo = new ArrayDeque<>();
    for (String s : sources) {
      todo.add(indexOf(s));
    }
    while (!todo.isEmpty()) {
      for (int c : children.get(todo.poll())) {
        if (out.add(nodes.get(c).name())) {
          todo.add(c);
        }
      }
    }
    return sortTopologically(out);
  }

  /** Every node with a directed path into one of {@code targets}. */
  public Set<String> ancestors(Collection<String> targets) {
    Set<String> out = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>(targets);
    targets.forEach(this::indexOf);
    while (!todo.isEmpty()) {
      for (String p : parents(todo.poll())) {
        if (out.add(p)) {
          todo.add(p);
        }
      }
    }
    return sortTopologically(out);
  }

  /** All directed paths from {@code from} to {@code to}, each as a list of node names. */
  public List<List<String>> directedPaths(String from, String to) {
    List<List<String>> paths = new ArrayList<>();
    Deque<String> path = new ArrayDeque<>();
    path.add(from);
    collectPaths(indexOf(from), indexOf(to), path, paths);
    return paths;
  }

  private void collectPaths(int at, int to, Deque<String> path, List<List<String>> out) {
    if (at == to && path.size() > 1) {
      out.add(List.copyOf(path));
      return;
    }
    for (int c : children.get(at)) {
      path.addLast(nodes.get(c).name());
      collectPaths(c, to, path, out);
      path.removeLast();
    }
  }

  private Set<String> sortTopologically(Set<String> subset) {
    Set<String> sorted = new LinkedHashSet<>();
    for (String name : topologicalOrder) {
      if (subset.contains(name)) {
        sorted.add(name);
      }
    }
    return Collections.unmodifiableSet(sorted);
  }
}
