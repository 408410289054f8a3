import { useId, useRef } from 'react';
import { problemDetail } from '../../api/problem.ts';
import { formatBytes } from './attachments.ts';

/**
 * Files chosen to upload with a ticket or reply. The server checks size and type (from the bytes)
 * when they are uploaded; its refusals are shown per file by `UploadFailures`.
 */
export function AttachmentPicker({
  files,
  onChange,
  label = 'Attachments',
}: {
  files: readonly File[];
  onChange: (files: File[]) => void;
  label?: string;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        ref={input}
        id={id}
        type="file"
        multiple
        aria-describedby={`${id}-hint`}
        onChange={(event) => {
          onChange([...files, ...Array.from(event.target.files ?? [])]);
          // Cleared so the same file can be chosen again after removing it.
          event.target.value = '';
        }}
      />
      <p className="field-hint" id={`${id}-hint`}>
        Images, PDF, text, CSV, JSON, archives and office documents.
      </p>
      {files.length > 0 && (
        <ul className="file-list">
          {files.map((file, index) => (
            <li key={`${file.name}-${index}`}>
              <span>
                {file.name} <span className="muted">({formatBytes(file.size)})</span>
              </span>
              <button
                type="button"
                className="btn btn-ghost btn-small"
                aria-label={`Remove ${file.name}`}
                onClick={() => onChange(files.filter((_, other) => other !== index))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The files the server refused, each with its reason (size limit, type not allowed). */
export function UploadFailures({ failures }: { failures: ReadonlyArray<{ file: File; error: unknown }> }) {
  if (failures.length === 0) return null;
  return (
    <div className="action-error" role="alert">
      <p>{failures.length === 1 ? 'One file was not attached:' : `${failures.length} files were not attached:`}</p>
      <ul>
        {failures.map(({ file, error }, index) => (
          <li key={`${file.name}-${index}`}>
            {file.name}: {problemDetail(error)}
          </li>
        ))}
      </ul>
    </div>
  );
}
