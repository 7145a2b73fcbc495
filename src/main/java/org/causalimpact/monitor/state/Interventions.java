package org.causalimpact.monitor.state;

import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A monitor's interventions as the processor works on them: the running ones' records, and the
 * ids and end steps of the ended ones kept (their records stay in the store). Read from an {@link
 * InterventionIndex} and the running records; what changed is written back by the store through
 * {@link #index()}, {@link #unsaved()} and {@link #saved()}. Mutable, owned by one processor task.
 */
public final class Interventions {
  private final Map<String, TrackedIntervention> running = new LinkedHashMap<>();
  private final Map<String, Long> ended = new LinkedHashMap<>();

  /** Records to write at the next save, by id; {@code null} deletes. */
  private final Map<String, TrackedIntervention> unsaved = new LinkedHashMap<>();

  private boolean indexChanged;

  /** No interventions. */
  public Interventions() {}

  /**
   * The interventions of {@code index}, with the records of its running ones; a version-1 index
   * is written back whole at the next save (its records under their own keys).
   */
  public Interventions(InterventionIndex index, Map<String, TrackedIntervention> runningRecords) {
    for (String id : index.running) {
      TrackedIntervention iv = runningRecords.get(id);
      if (iv == null) {
        throw new IllegalStateException(
            "the stored interventions name '" + id + "' as running but its record is missing:"
                + " reset the application's state (kafka-streams-application-reset and a fresh"
                + " state directory) to rebuild it from the input topics");
      }
      running.put(id, iv);
    }
    ended.putAll(index.ended);
    if (!index.upgraded.isEmpty()) {
      unsaved.putAll(index.upgraded);
      indexChanged = true;
    }
  }

  /** The running interventions (pending ones included), in start order; a read-only view. */
  public Collection<TrackedIntervention> running() {
    return Collections.unmodifiableCollection(running.values());
  }

  /** The running intervention {@code id}, or {@code null}. */
  public TrackedIntervention running(String id) {
    return running.get(id);
  }

  /** Whether {@code id} is among the ended interventions kept. */
  public boolean ended(String id) {
    return ended.containsKey(id);
  }

  /** The ended interventions kept: id and end step, in end order; a read-only view. */
  public Map<String, Long> ended() {
    return Collections.unmodifiableMap(ended);
  }

  /** Whether an intervention runs at step {@code s}: started at or before it. */
  public boolean activeAt(long s) {
    for (TrackedIntervention iv : running.values()) {
      if (iv.startStep <= s) {
        return true;
      }
    }
    return false;
  }

  /** Adds a started intervention. */
  public void start(TrackedIntervention iv) {
    running.put(iv.id, iv);
    unsaved.put(iv.id, iv);
    indexChanged = true;
  }

  /** Running intervention {@code iv} changed: its record is written at the next save. */
  public void changed(TrackedIntervention iv) {
    unsaved.put(iv.id, iv);
  }

  /**
   * Moves a running intervention, its {@link TrackedIntervention#ending} and end step set, to the
   * ended ones; its start event's bytes are dropped.
   */
  public void end(TrackedIntervention iv) {
    if (iv.ending == null || iv.endStep == null) {
      throw new IllegalArgumentException("intervention '" + iv.id + "' has no ending or end step");
    }
    running.remove(iv.id);
    iv.source = null;
    ended.put(iv.id, iv.endStep);
    unsaved.put(iv.id, iv);
    indexChanged = true;
  }

  /**
   * Forgets the oldest ended interventions beyond the newest {@code keep}, and those that ended
   * before step {@code endedSince}.
   *
   * @return how many were forgotten
   */
  public int forget(int keep, long endedSince) {
    int forgotten = 0;
    Iterator<Map.Entry<String, Long>> it = ended.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Long> e = it.next();
      if (ended.size() <= keep && e.getValue() >= endedSince) {
        break;
      }
      it.remove();
      unsaved.put(e.getKey(), null);
      forgotten++;
    }
    indexChanged |= forgotten > 0;
    return forgotten;
  }

  /** The index to store, or {@code null} if it did not change since the last save. */
  public InterventionIndex index() {
    if (!indexChanged) {
      return null;
    }
    InterventionIndex index = new InterventionIndex();
    index.running.addAll(running.keySet());
    index.ended.putAll(ended);
    return index;
  }

  /**
   * The records to write, by id: those started, changed, ended or forgotten (value {@code null})
   * since the last save; a read-only view.
   */
  public Map<String, TrackedIntervention> unsaved() {
    return Collections.unmodifiableMap(unsaved);
  }

  /** Everything changed so far is stored. */
  public void saved() {
    unsaved.clear();
    indexChanged = false;
  }
}
