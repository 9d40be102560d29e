/**
 * The free room of a cluster's nodes, for placing the pods of a gang: first fit (the lowest-numbered
 * node with room), found through a tree of the largest free cores and memory below each branch, so
 * a placement costs about log(nodes) instead of a scan of every node.
 */
import type { Resources } from './types';

export class NodeRoom {
  private readonly size: number;
  /** Heap-ordered tree: leaves from `size`, each inner entry the largest of its two children. */
  private readonly cores: Float64Array;
  private readonly memory: Float64Array;

  constructor(nodes: readonly Resources[]) {
    let size = 1;
    while (size < nodes.length) size *= 2;
    this.size = size;
    this.cores = new Float64Array(2 * size).fill(-1);
    this.memory = new Float64Array(2 * size).fill(-1);
    nodes.forEach((node, i) => {
      this.cores[size + i] = node.cores;
      this.memory[size + i] = node.memoryMiB;
    });
    for (let i = size - 1; i >= 1; i--) this.pull(i);
  }

  /** The largest free cores and memory of any node (not necessarily the same node). */
  largest(): Resources {
    return { cores: Math.max(0, this.cores[1]!), memoryMiB: Math.max(0, this.memory[1]!) };
  }

  /**
   * Places every pod or none: returns the nodes taken (to give back with release), or undefined
   * when some pod finds no node, leaving the room as it was.
   */
  placeAll(pods: readonly Resources[]): number[] | undefined {
    const taken: number[] = [];
    for (const pod of pods) {
      const node = this.find(1, pod);
      if (node === undefined) {
        taken.forEach((n, i) => this.add(n, pods[i]!, 1));
        return undefined;
      }
      this.add(node, pod, -1);
      taken.push(node);
    }
    return taken;
  }

  /** Gives back what placeAll took. */
  release(nodes: readonly number[], pods: readonly Resources[]): void {
    nodes.forEach((node, i) => this.add(node, pods[i]!, 1));
  }

  private find(index: number, pod: Resources): number | undefined {
    if (this.cores[index]! < pod.cores || this.memory[index]! < pod.memoryMiB) return undefined;
    if (index >= this.size) return index - this.size;
    return this.find(2 * index, pod) ?? this.find(2 * index + 1, pod);
  }

  private add(node: number, pod: Resources, sign: 1 | -1): void {
    let i = this.size + node;
    this.cores[i] = this.cores[i]! + sign * pod.cores;
    this.memory[i] = this.memory[i]! + sign * pod.memoryMiB;
    for (i >>= 1; i >= 1; i >>= 1) this.pull(i);
  }

  private pull(i: number): void {
    this.cores[i] = Math.max(this.cores[2 * i]!, this.cores[2 * i + 1]!);
    this.memory[i] = Math.max(this.memory[2 * i]!, this.memory[2 * i + 1]!);
  }
}
