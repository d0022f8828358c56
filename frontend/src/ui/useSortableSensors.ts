// The pointer and keyboard sensors of a sortable dnd-kit list, as the board and the stage list
// both use them: the arrow keys move to the next sortable place.
import { KeyboardSensor, PointerSensor, useSensor, useSensors, type KeyboardCodes } from "@dnd-kit/core";
import { sortableKeyboardCoordinates } from "@dnd-kit/sortable";

/** `distance`: the pixels a pointer must move before a drag starts, so a click stays a click. */
export function useSortableSensors(distance: number, keyboardCodes?: KeyboardCodes) {
  return useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance } }),
    useSensor(KeyboardSensor, {
      coordinateGetter: sortableKeyboardCoordinates,
      ...(keyboardCodes ? { keyboardCodes } : {}),
    }),
  );
}
