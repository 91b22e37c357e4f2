import { useEffect, useState } from 'react';
import type { FarmStatus } from '../../shared/farm.js';
import { useStudioContext } from '../hooks/use-api.js';

const REFRESH_MS = 5000;

/** The Devices card's farm part: each worker (device, current photo, photos done, last heartbeat) and the queue's depth; nothing when no farm is set. */
export function FarmWorkers() {
  const { api } = useStudioContext();
  const [status, setStatus] = useState<FarmStatus | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const read = () =>
      void api.getFarmStatus({}).then((result) => {
        if (!live) return;
        setStatus(result.ok ? result.value : null);
        setProblem(result.ok ? null : result.error.message);
      });
    read();
    const timer = setInterval(read, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api]);
  if (problem && !/not available/.test(problem)) return <p className="subtle small" data-testid="farm-problem">{problem}</p>;
  if (!status) return null;
  const q = status.queue;
  return (
    <div className="farm-workers" data-testid="farm-workers">
      <p className="device-name">
        Farm {status.redis}: {q.waiting} waiting, {q.active} restoring
      </p>
      {status.workers.length === 0 && <p className="subtle small">No workers. Run heirloom worker --redis URL on each computer.</p>}
      <ul className="subtle small">
        {status.workers.map((w) => (
          <li key={w.name} data-testid="farm-worker">
            <strong>{w.name}</strong> ({w.device}): {w.state}
            {w.current.length > 0 ? ` ${w.current.map((p) => p.split(/[\\/]/).pop()).join(', ')}` : ''} · {w.done} done{w.failed ? `, ${w.failed} failed` : ''} · heartbeat {Math.round(w.silentMs / 1000)} s ago
          </li>
        ))}
      </ul>
    </div>
  );
}
