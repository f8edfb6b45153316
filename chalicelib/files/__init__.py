"""Files: what a resource holds beside (or instead of) its document, stored in the files bucket.

- `names`: file names, content types, scope patterns (`file:...`), what a download is served as
  (type, RFC 6266 disposition), what the page may preview (pure);
- `objects`: the bucket: object keys, presigned PUTs and GETs, checks, deletions (the S3 client is
  created here, lazily: a viewer request that is not a download never imports or creates it);
- `uploads`: starting an upload (limits, name rules, the presigned PUT) and checking the stored
  object when the upload is completed;
- `bundles`: "download all": which zips a version offers, and building one with flat memory
  (streamed from the objects into a multipart upload, part by part);
- `jobs`: the work done after a request has answered (zip builds, object deletions), queued in
  the main table in the transaction of the change that needs it, with retries, drained by the
  `files_worker` function.

Publishing a file as a new version of its resource is `resources.resource_files`' work, and
serving a download `viewer.downloads`': both import this package. It may import `tenancy`,
`service`, `storage`, `credentials` and `runtime`.
"""
