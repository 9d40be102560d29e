/** The Application page's Kubernetes events: what the cluster said about its SparkApplication and pods. */
import { useEffect } from 'react';
import { ErrorNote } from '../components';
import type { Application, KubeEvents } from '../lib/types';
import { useApi } from '../lib/use-api';

export function KubernetesEvents({ app }: { app: Application }) {
  const events = useApi<KubeEvents>(`/api/v1/applications/${encodeURIComponent(app.id)}/kube-events`);
  const { reload } = events;
  const { state, updatedAt } = app;
  // read again at every change of the record: new events come with the pods' changes
  useEffect(reload, [reload, state, updatedAt]);
  const data = events.data;
  return (
    <section aria-labelledby="events-title" className="card" data-testid="kube-events">
      <h2 id="events-title">Kubernetes events</h2>
      {events.error && <ErrorNote error={events.error} what="the Kubernetes events" />}
      {data && !data.available && <p className="note">None: cluster {app.clusterId} runs Spark without Kubernetes.</p>}
      {data?.available && data.items.length === 0 && <p className="note">No event yet.</p>}
      {data?.available && data.items.length > 0 && (
        <pre className="log" tabIndex={0} aria-label="Kubernetes events">
          {data.items.join('\n')}
        </pre>
      )}
    </section>
  );
}
