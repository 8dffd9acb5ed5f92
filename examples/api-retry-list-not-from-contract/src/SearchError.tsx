interface Props {
  code: string;
  message: string;
  retry: () => void;
}

export function SearchError({ code, message, retry }: Props) {
  const canRetry = code === 'RATE_LIMITED' || code === 'INVALID_QUERY';
  return (
    <div role="alert">
      <p>{message}</p>
      {canRetry && <button onClick={retry}>Try again</button>}
    </div>
  );
}
