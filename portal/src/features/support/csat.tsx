import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { api, data } from '../../api/client.ts';
import { TextArea } from '../../ui/field.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { ActionError } from '../../ui/states.tsx';
import type { TicketDetail } from './fields.ts';
import { supportKeys } from './support-api.ts';

const SCORES = [
  { rating: 1, label: 'Very unhappy' },
  { rating: 2, label: 'Unhappy' },
  { rating: 3, label: 'Neutral' },
  { rating: 4, label: 'Happy' },
  { rating: 5, label: 'Very happy' },
] as const;

/**
 * The CSAT prompt of a resolved ticket: one rating per resolution. Once given, it shows the rating
 * instead. `focus` (the `?csat=1` of the resolution notification) brings it into view.
 */
export function CsatPrompt({
  ticket,
  ticketRef,
  canRate,
  focus,
}: {
  ticket: TicketDetail;
  ticketRef: string;
  canRate: boolean;
  focus: boolean;
}) {
  const queryClient = useQueryClient();
  const [rating, setRating] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [missing, setMissing] = useState(false);
  const section = useRef<HTMLElement>(null);
  const given = ticket.satisfaction.find((entry) => entry.resolved_at === ticket.resolved_at);

  const rate = useMutation({
    mutationFn: async (score: number) =>
      data(
        await api.POST('/v1/support/tickets/{id}/satisfaction', {
          params: { path: { id: ticket.id } },
          body: { rating: score, ...(comment.trim() ? { comment: comment.trim() } : {}) },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: supportKeys.ticket(ticketRef) }),
  });

  useEffect(() => {
    if (focus) section.current?.scrollIntoView({ block: 'center' });
  }, [focus]);

  if (given) {
    return (
      <section ref={section} className="card csat" aria-labelledby="csat-heading">
        <h2 id="csat-heading">Your rating</h2>
        <p>
          <span className="csat-stars" aria-hidden="true">
            {'★'.repeat(given.rating)}
            {'☆'.repeat(5 - given.rating)}
          </span>{' '}
          <strong>{given.rating} of 5</strong> ({SCORES[given.rating - 1]?.label}), given{' '}
          {formatDateTime(given.created_at)}
        </p>
        {given.comment && <blockquote className="csat-comment">{given.comment}</blockquote>}
      </section>
    );
  }
  if (!canRate) return null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (rating === null) {
      setMissing(true);
      return;
    }
    rate.mutate(rating);
  };
  return (
    <section ref={section} className="card csat" aria-labelledby="csat-heading">
      <h2 id="csat-heading">How did we do?</h2>
      <form noValidate onSubmit={submit}>
        <fieldset aria-describedby={missing ? 'csat-missing' : undefined}>
          <legend>Rate the support on this ticket</legend>
          <div className="csat-scores">
            {SCORES.map((score) => (
              <label key={score.rating} className="csat-score">
                <input
                  type="radio"
                  name="csat-rating"
                  value={score.rating}
                  checked={rating === score.rating}
                  onChange={() => {
                    setRating(score.rating);
                    setMissing(false);
                  }}
                />
                <span>
                  {score.rating} <span className="muted">{score.label}</span>
                </span>
              </label>
            ))}
          </div>
          {missing && (
            <p className="field-error" id="csat-missing">
              Choose a rating from 1 to 5
            </p>
          )}
        </fieldset>
        <TextArea
          label="Anything to add? (optional)"
          value={comment}
          rows={3}
          maxLength={2000}
          onChange={(event) => setComment(event.target.value)}
        />
        <ActionError error={rate.error} />
        <button type="submit" className="btn btn-primary" disabled={rate.isPending}>
          Send rating
        </button>
      </form>
    </section>
  );
}
