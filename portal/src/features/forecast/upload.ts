// The billing file upload: XMLHttpRequest rather than fetch, because only it reports upload
// progress. Like the typed client, it sends the CSRF token and turns an error answer into ApiProblem.
import { csrfToken } from '../../api/client.ts';
import { ApiProblem } from '../../api/problem.ts';
import type { CostImport } from './types.ts';

export function uploadBillingFile(file: File, onProgress: (fraction: number) => void): Promise<CostImport> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/v1/cost/import');
    request.responseType = 'json';
    const token = csrfToken.get();
    if (token) request.setRequestHeader('x-csrf-token', token);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () => {
      const body: unknown = request.response;
      if (request.status >= 200 && request.status < 300) resolve(body as CostImport);
      else reject(new ApiProblem(request.status, body));
    });
    request.addEventListener('error', () =>
      reject(new TypeError('The upload failed: the server could not be reached.')),
    );
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}
