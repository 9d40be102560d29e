/**
 * A confirmation in a modal <dialog> instead of window.confirm: it is styled like the page, its
 * focus starts on Cancel (the harmless answer), Escape cancels, and a test drives it with the keyboard.
 */
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';

interface Question {
  text: string;
  action: string;
  answer: (confirmed: boolean) => void;
}

export function useConfirm(): { confirm(text: string, action: string): Promise<boolean>; dialog: ReactNode } {
  const [question, setQuestion] = useState<Question>();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (question && ref.current && !ref.current.open) ref.current.showModal();
  }, [question]);
  const confirm = useCallback(
    (text: string, action: string) => new Promise<boolean>((answer) => setQuestion({ text, action, answer })),
    [],
  );
  const answer = (confirmed: boolean) => {
    ref.current?.close();
    question?.answer(confirmed);
    setQuestion(undefined);
  };
  const dialog = question && (
    <dialog
      ref={ref}
      className="confirm"
      aria-labelledby="confirm-text"
      onCancel={(event) => {
        event.preventDefault();
        answer(false);
      }}
    >
      <p id="confirm-text">{question.text}</p>
      <div className="confirm-actions">
        <button type="button" autoFocus onClick={() => answer(false)}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={() => answer(true)}>
          {question.action}
        </button>
      </div>
    </dialog>
  );
  return { confirm, dialog };
}
