import { describe, expect, it } from 'vitest';
import { NodeRoom } from './nodes';

const node = (cores: number, memoryMiB: number) => ({ cores, memoryMiB });

describe('NodeRoom', () => {
  it('places each pod on the first node with room in both cores and memory', () => {
    const room = new NodeRoom([node(1, 8192), node(4, 1024), node(4, 8192)]);
    expect(room.placeAll([node(2, 2048)])).toEqual([2]);
    expect(room.placeAll([node(1, 1024), node(1, 1024)])).toEqual([0, 1]);
    expect(room.largest()).toEqual({ cores: 3, memoryMiB: 7168 });
  });

  it('places all the pods or none, leaving the room as it was', () => {
    const room = new NodeRoom([node(2, 4096), node(2, 4096)]);
    expect(room.placeAll([node(2, 1024), node(2, 1024), node(2, 1024)])).toBeUndefined();
    expect(room.placeAll([node(2, 4096), node(2, 4096)])).toEqual([0, 1]);
    expect(room.placeAll([node(1, 1)])).toBeUndefined();
  });

  it('gives back what it placed', () => {
    const room = new NodeRoom([node(2, 2048), node(1, 1024), node(1, 1024)]);
    const pods = [node(2, 2048), node(1, 1024)];
    const taken = room.placeAll(pods)!;
    expect(taken).toEqual([0, 1]);
    room.release(taken, pods);
    expect(room.largest()).toEqual({ cores: 2, memoryMiB: 2048 });
    expect(room.placeAll(pods)).toEqual([0, 1]);
  });

  it('has no room at all without nodes', () => {
    const room = new NodeRoom([]);
    expect(room.largest()).toEqual({ cores: 0, memoryMiB: 0 });
    expect(room.placeAll([node(1, 1)])).toBeUndefined();
    expect(room.placeAll([])).toEqual([]);
  });
});
