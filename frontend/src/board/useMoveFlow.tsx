// What the board does with a drop: makes the move (optimistic, through useMoveCard) and offers
// Undo; asks first for what the target wants answered with the move (required fields, a lost
// reason) when that is all that stands in the way; says why in a toast when a move is refused,
// before sending (the card's moves) or after (a 409).
import { useCallback, useMemo, useState } from "react";
import { ApiError } from "../api/client";
import type { Board, Card, FieldDefinition, MoveReason } from "../api/types";
import { asksInline, needsLostReason, reasonFields } from "../app/moves";
import { lostFields, type LostReasonOption } from "../moves/LostReasonInputs";
import { useUndoToast } from "../moves/useUndoToast";
import { useToast } from "../ui/toast";
import { useMoveCard, type MoveRequest } from "./api";
import type { DropOutcome } from "./dragState";
import { errorReasons, MoveRefusal } from "./moveMessages";
import { requiredDefinitions, type MoveAnswers, type RequiredFieldsRequest } from "./RequiredFields";
import type { BoardFilters } from "./filters";
import { focusCard } from "./useDragMachine";

export interface AskFields extends RequiredFieldsRequest {
  move: MoveRequest;
  leadUid: string;
}

export function useMoveFlow(
  board: Board,
  filters: BoardFilters,
  variables: readonly FieldDefinition[],
  lostReasons: readonly LostReasonOption[],
) {
  const toast = useToast();
  const offerUndo = useUndoToast();
  const { mutateAsync: move } = useMoveCard(filters);
  const [ask, setAsk] = useState<AskFields | null>(null);
  const stageNames = useMemo(() => new Map(board.columns.map((c) => [c.uid, c.name])), [board]);
  const nameOf = useCallback((stage: string) => stageNames.get(stage) ?? stage, [stageNames]);

  /** Opens the form for what `reasons` ask; false when the config no longer defines a field. */
  const askFor = useCallback(
    (move: MoveRequest, card: Card, reasons: readonly MoveReason[]): boolean => {
      const keys = reasonFields(reasons).map((field) => field.key);
      const definitions = requiredDefinitions(variables, keys);
      const lost = needsLostReason(reasons);
      if ((keys.length === 0 && !lost) || definitions.length !== keys.length) return false;
      setAsk({
        move,
        leadUid: card.uid,
        leadName: card.name,
        stageName: nameOf(move.toStage),
        definitions,
        lostReasons: lost ? [...lostReasons] : null,
      });
      return true;
    },
    [lostReasons, nameOf, variables],
  );

  const refusal = useCallback(
    (request: MoveRequest, card: Pick<Card, "name" | "uid">, error: unknown) =>
      toast(
        <MoveRefusal
          leadName={card.name}
          leadUid={card.uid}
          targetName={nameOf(request.toStage)}
          reasons={errorReasons(error)}
          error={error}
          sent
        />,
        "error",
      ),
    [nameOf, toast],
  );

  const run = useCallback(
    async (request: MoveRequest, card: Card, byKeyboard: boolean) => {
      try {
        const lead = await move(request);
        offerUndo(lead, nameOf(request.toStage));
      } catch (error) {
        if (byKeyboard) focusCard(card.uid);
        const reasons = errorReasons(error);
        // The card's moves were out of date: the server asks for answers after all.
        if (asksInline(reasons) && askFor(request, card, reasons)) return;
        refusal(request, card, error);
      }
    },
    [askFor, move, nameOf, offerUndo, refusal],
  );

  const onDrop = useCallback(
    (outcome: DropOutcome, card: Card, byKeyboard: boolean) => {
      switch (outcome.kind) {
        case "move":
          void run(outcome.request, card, byKeyboard);
          return;
        case "ask":
          if (askFor(outcome.request, card, outcome.reasons)) return;
          // A field the config does not define cannot be asked for here: send the move and
          // let the server's refusal say what is missing.
          void run(outcome.request, card, byKeyboard);
          return;
        case "refuse":
          toast(
            <MoveRefusal
              leadName={card.name}
              leadUid={card.uid}
              targetName={nameOf(outcome.stage)}
              reasons={outcome.reasons}
              sent={false}
            />,
            "error",
          );
          return;
        case "none":
        case "group": // several cards: BoardCanvas hands them to useGroupMove
          return;
      }
    },
    [askFor, nameOf, run, toast],
  );

  const closeAsk = useCallback(() => setAsk(null), []);
  const submitAsk = useCallback(
    async ({ data, lost }: MoveAnswers) => {
      if (!ask) return;
      const { lost_reason: lostReason, lost_note: lostNote } = lostFields(lost);
      try {
        const lead = await move({ ...ask.move, data, lostReason, lostNote });
        setAsk(null);
        offerUndo(lead, ask.stageName);
      } catch (error) {
        // Answers the server refused stay in the form, on their inputs; any other refusal
        // closes it and says why.
        if (
          error instanceof ApiError &&
          Object.keys(error.fields).some((k) => k.startsWith("data.") || k === "lost_reason")
        ) {
          throw error;
        }
        setAsk(null);
        refusal(ask.move, { name: ask.leadName, uid: ask.leadUid }, error);
      }
    },
    [ask, move, offerUndo, refusal],
  );

  return { onDrop, ask, closeAsk, submitAsk };
}
